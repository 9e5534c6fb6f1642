import Foundation

/// Runs blocking work (raw sockets, sleeps, waiting for a child process) on a thread of its own.
///
/// Not on Dispatch: on Linux, Swift concurrency's tasks run on Dispatch's global queues, whose
/// threads are as many as the cores. Two tests blocking there for a minute stopped every other
/// test's tasks and store writes on this 2-core machine (outbox relays delivered nothing for
/// 30 s; an HTTP client's deadline passed unanswered).
public func onBlockingThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "refundmesh-tests-blocking"
        thread.start()
    }
}

/// What a child process printed and how it ended.
public struct ProcessOutcome: Sendable {
    /// Its exit status (or the signal that ended it).
    public var status: Int32
    /// Its standard output, and its standard error too unless they were kept apart.
    public var output: String
    /// Its standard error when kept apart from the output; empty otherwise.
    public var errors: String
}

/// Runs `executable` to its end on a thread of its own (``onBlockingThread(_:)``).
/// - Parameters:
///   - environment: Its environment; nil for this process's.
///   - separateErrors: Whether standard error is kept apart from the output.
///   - input: Bytes written to its standard input, which is then closed; nil to leave it alone.
public func runToEnd(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String]? = nil,
    separateErrors: Bool = false,
    input: [UInt8]? = nil
) async throws -> ProcessOutcome {
    try await onBlockingThread {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = separateErrors ? Pipe() : output
        process.standardOutput = output
        process.standardError = errors
        let standardInput = input.map { _ in Pipe() }
        if let standardInput { process.standardInput = standardInput }
        try process.run()
        if let standardInput, let input {
            standardInput.fileHandleForWriting.write(Data(input))
            try standardInput.fileHandleForWriting.close()
        }
        // Standard error is read on another thread, so neither pipe can fill up and stall the child.
        let errorText = separateErrors ? ErrorReader(errors.fileHandleForReading) : nil
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessOutcome(
            status: process.terminationStatus,
            output: String(decoding: data, as: UTF8.self),
            errors: errorText?.wait() ?? ""
        )
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorReader: @unchecked Sendable {
    // @unchecked: `data` is written by the reading thread before `done` is signalled and read after.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.start()
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
