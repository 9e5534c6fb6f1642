import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server for a test: Tests/NotificationServiceTests/Support/smtp_sink.py on Debian's
/// python3-aiosmtpd, on a free port, storing what it accepts in its own folder.
final class SMTPSink: @unchecked Sendable {
    // @unchecked: `process` is started in init and terminated by the owning test only.
    let directory: URL
    let port: Int
    private let process: Process

    /// A stored message as Python's e-mail parser read it.
    struct Stored: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var subject: String
        var raw_headers: String
        var message_id: String
        var content_type: String
        var charset: String?
        var transfer_encoding: String
        var body: String
        var event_id: String
    }

    init(arguments: [String] = []) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("sink.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_sink.py")
        let process = Process()
        // Debian's interpreter: python3-aiosmtpd installs for it (a pyenv python3 first on PATH lacks it).
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script.path, directory.path] + arguments
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(30)
        var found: Int?
        while ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
                let port = Int(line.dropFirst("listening on ".count))
            {
                found = port
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let found else {
            process.terminate()
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw SinkError(
                message:
                    "smtp_sink.py did not start (is python3-aiosmtpd installed? apt-get install python3-aiosmtpd):\n\(text)"
            )
        }
        port = found
    }

    /// The accepted messages, in order.
    func messages() throws -> [Stored] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let numbers = names.compactMap { $0.hasSuffix(".json") ? Int($0.dropLast(5)) : nil }.sorted()
        return try numbers.map { number in
            let data = try Data(contentsOf: directory.appendingPathComponent("\(number).json"))
            return try JSONDecoder().decode(Stored.self, from: data)
        }
    }

    /// The raw bytes of accepted message `number` (1-based).
    func raw(_ number: Int) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(number).eml"), encoding: .utf8)
    }

    /// Every DATA the server answered (accepted or not), as Message-IDs.
    func attempts() -> [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("attempts.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Ends the server (SIGKILL: a test runner may hand SIGTERM down blocked) and removes its folder.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    struct SinkError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
