import Logging
import ServiceLifecycle

extension Sandbox {
    /// Runs the sandbox's ``services(onListening:)`` in this process while `body` runs with the port
    /// its HTTP server got, then shuts them down gracefully and closes the store — how tests host a
    /// sandbox (the `provider-sandbox` executable runs the same services in its own signal-handling
    /// ServiceGroup).
    /// - Throws: what `body` throws, or an error naming the sandbox when its server never listened.
    public func withServicesRunning<T: Sendable>(
        logger: Logger,
        _ body: (_ port: Int) async throws -> T
    ) async throws -> T {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services { portSink.yield($0) }.map { .init(service: $0) },
                logger: logger
            )
        )
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                try? await group.run()
                portSink.finish()  // a server that never listened must not leave the caller waiting
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                return .failure(SandboxNotListening())
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(port))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
            return result
        }
        try close()
        return try result.get()
    }
}

/// The in-process sandbox's HTTP server stopped before it listened.
struct SandboxNotListening: Error, CustomStringConvertible {
    var description: String { "provider-sandbox did not start listening (see its log for why)" }
}
