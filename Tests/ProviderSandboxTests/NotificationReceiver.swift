import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A merchant's notify endpoint for tests: a real HTTP server on port 0 that records every
/// notification it receives and answers 500 to the first `failing` ones.
final class NotificationReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var headerList: [(String, String)] { headers.map { ($0.key, $0.value) } }
    }

    private let state: Mutex<(received: [Received], failuresLeft: Int, attempts: Int)>

    init(failing: Int = 0) {
        state = Mutex(([], failing, 0))
    }

    var received: [Received] { state.withLock { $0.received } }
    var attempts: Int { state.withLock { $0.attempts } }

    private func record(_ request: Request, body: [UInt8]) -> Bool {
        state.withLock { state in
            state.attempts += 1
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                return false
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            state.received.append(Received(headers: headers, body: body))
            return true
        }
    }

    /// Runs `body` with the receiver listening; passes the notify URL.
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router(context: BasicRequestContext.self)
        router.post("notify/**") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            let accepted = self.record(request, body: Array(buffer.readableBytesView))
            return Response(status: accepted ? .ok : .internalServerError)
        }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "notification-receiver")
        logger.logLevel = .warning
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(services: [application], logger: logger)
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                try? await group.run()
                portSink.finish()  // a server that never listened must not leave the test waiting
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return .failure(HarnessError("receiver did not start")) }
            let result: Result<T, any Error>
            do {
                result = .success(try await body("http://127.0.0.1:\(port)/notify/refunds"))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
            return result
        }
        return try result.get()
    }
}
