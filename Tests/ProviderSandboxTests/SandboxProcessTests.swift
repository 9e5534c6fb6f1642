import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ProviderSandbox
import RefundMeshProviders
import Testing

/// The real `provider-sandbox` executable, started as a process, stopped with SIGTERM and
/// started again on the same data folder: nothing is forgotten and nothing is paid twice.
@Suite struct SandboxProcessTests {
    @Test("a refund survives a restart of the process; the same number is not paid again; the total holds")
    func restartKeepsRecords() async throws {
        let directory = SandboxHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = [
            "SANDBOX_WALLET_SETTLE_MS": "100", "SANDBOX_WECHAT_ORDER_INTERVAL_MS": "0",
            "REFUNDMESH_LOG_LEVEL": "notice",
        ]
        let request = WeChatPayRefundRequest(
            outTradeNo: "T-p",
            outRefundNo: "R-p",
            reason: "restart",
            amount: .init(refund: 300, total: 1_000)
        )

        let first = try await SandboxProcess.start(dataDirectory: directory, environment: environment)
        let client = try first.weChatPay()
        let created = try await client.createRefund(request)
        try await SandboxHarness.until("SUCCESS") {
            try await client.queryRefund(outRefundNo: "R-p").status == .success
        }
        #expect(try await first.stop() == 0)

        let second = try await SandboxProcess.start(dataDirectory: directory, environment: environment)
        let again = try second.weChatPay()
        let resubmitted = try await again.createRefund(request)
        #expect(resubmitted.refundID == created.refundID)
        #expect(resubmitted.status == .success)
        let error = try await #require(throws: ProviderError.self) {
            try await again.createRefund(
                WeChatPayRefundRequest(outTradeNo: "T-p", outRefundNo: "R-q", amount: .init(refund: 800, total: 1_000))
            )
        }
        #expect(error.providerCode == "INVALID_REQUEST")
        let stats = try await second.stats()
        #expect(stats.refunds == 1)
        #expect(stats.moneyMovedCount == 1)
        #expect(stats.maxMoneyMovedPerRefund == 1)
        #expect(stats.tradesOverTotal == 0)
        #expect(stats.counters["duplicates_refused"] == 1)
        #expect(try await second.stop() == 0)
    }

    @Test("SIGTERM ends the process cleanly even while an answer is stalled (timeout_after_commit)")
    func gracefulShutdownWithStalledAnswer() async throws {
        let directory = SandboxHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try await SandboxProcess.start(
            dataDirectory: directory,
            environment: ["SANDBOX_STALL_MS": "600000", "REFUNDMESH_LOG_LEVEL": "notice"]
        )
        let (status, _) = try await process.send(
            "POST",
            "/sandbox/v1/rules",
            json: #"{"provider":"wechat","behaviour":{"timeout_after_commit":true}}"#
        )
        #expect(status == 201)
        let client = try process.weChatPay(timeoutMs: 1_000)
        await #expect(throws: ProviderError.self) {
            try await client.createRefund(
                WeChatPayRefundRequest(outTradeNo: "T", outRefundNo: "R", amount: .init(refund: 1, total: 1))
            )
        }
        #expect(try await process.stats().refunds == 1)
        #expect(try await process.stop() == 0)
    }

    @Test("`provider-sandbox keys --dir` writes a key set the clients load, and keeps an existing one")
    func keysCommand() async throws {
        let directory = SandboxHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try SandboxProcess.run(["keys", "--dir", directory]) == 0)
        #expect(ProviderKeySet.exists(in: directory))
        let written = try ProviderKeySet.load(from: directory)
        #expect(FileManager.default.fileExists(atPath: directory + "/providers.env"))
        #expect(try SandboxProcess.run(["keys", "--dir", directory]) == 0)
        #expect(try ProviderKeySet.load(from: directory).weChatPayPlatformSerial == written.weChatPayPlatformSerial)
    }
}

/// One real `provider-sandbox` process on port 0 with its own data folder.
final class SandboxProcess: @unchecked Sendable {
    // @unchecked: `process` is started and signalled only by the test that owns this object.
    let port: Int
    let dataDirectory: String
    private let process: Process

    private init(process: Process, port: Int, dataDirectory: String) {
        self.process = process
        self.port = port
        self.dataDirectory = dataDirectory
    }

    /// The built executable, beside the test bundle.
    static var executable: URL {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("provider-sandbox")
    }

    /// Runs a short command to completion and returns its exit status.
    static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Starts `provider-sandbox serve` and waits for its "listening on" line.
    static func start(dataDirectory: String, environment extra: [String: String]) async throws -> SandboxProcess {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let log = dataDirectory + "/provider-sandbox-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.contains("provider-sandbox listening on") }),
                let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...])
            {
                return SandboxProcess(process: process, port: port, dataDirectory: dataDirectory)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        throw HarnessError(
            "provider-sandbox did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")"
        )
    }

    /// SIGTERM, then waits (at most 30 s) and returns the exit status.
    func stop() async throws -> Int32 {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw HarnessError("provider-sandbox did not exit within 30 s of SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    func weChatPay(timeoutMs: Int = 10_000) throws -> WeChatPayClient {
        let keysDirectory = dataDirectory + "/keys"
        var environment = try ProviderKeySet.load(from: keysDirectory).environment(
            directory: keysDirectory,
            baseURL: "http://127.0.0.1:\(port)",
            notifyBaseURL: "http://127.0.0.1:9"
        )
        environment["WECHATPAY_TIMEOUT_MS"] = String(timeoutMs)
        return WeChatPayClient(
            configuration: try WeChatPayConfiguration(environment: environment),
            httpClient: .shared,
            logger: SandboxHarness.logger
        )
    }

    func send(_ method: String, _ path: String, json: String? = nil) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)" + path)
        request.method = .init(rawValue: method)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        return (Int(response.status.code), Array(body.readableBytesView))
    }

    func stats() async throws -> ProviderSandbox.SandboxStats {
        let (status, body) = try await send("GET", "/sandbox/v1/stats")
        guard status == 200 else { throw HarnessError("stats answered \(status)") }
        return try JSONDecoder().decode(ProviderSandbox.SandboxStats.self, from: Data(body))
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
