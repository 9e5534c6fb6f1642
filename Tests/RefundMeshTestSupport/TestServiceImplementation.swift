import RefundMeshRPC
import Synchronization

/// What the test service saw, for assertions from the test side.
public final class TestServiceProbe: Sendable {
    private struct State {
        var cancelledHandlers = 0
        var idempotentCalls = 0
        var unaryCalls = 0
        var streamedSent = 0
    }

    private let state = Mutex(State())
    /// How many times Idempotent fails with UNAVAILABLE before it succeeds.
    public let idempotentFailures: Int

    public init(idempotentFailures: Int = 0) {
        self.idempotentFailures = idempotentFailures
    }

    public var cancelledHandlers: Int { state.withLock { $0.cancelledHandlers } }
    public var idempotentCalls: Int { state.withLock { $0.idempotentCalls } }
    public var unaryCalls: Int { state.withLock { $0.unaryCalls } }
    /// Server-stream messages the handler has written so far (written = accepted by the window).
    public var streamedSent: Int { state.withLock { $0.streamedSent } }

    func handlerCancelled() { state.withLock { $0.cancelledHandlers += 1 } }
    func countIdempotent() -> Int {
        state.withLock {
            $0.idempotentCalls += 1
            return $0.idempotentCalls
        }
    }
    func countUnary() { state.withLock { $0.unaryCalls += 1 } }
    func countStreamed() { state.withLock { $0.streamedSent += 1 } }
}

/// `refundmesh.testing.v1.TestService` for the runtime tests: echoes, sleeps on request, streams.
public struct TestServiceImplementation: TestService.ServiceProtocol {
    public let probe: TestServiceProbe
    /// Used by Unary when `text == "call-downstream"`: the handler calls this client's Unary,
    /// to check deadline and request-id propagation.
    public let downstream: TestService.Client?

    public init(probe: TestServiceProbe = TestServiceProbe(), downstream: TestService.Client? = nil) {
        self.probe = probe
        self.downstream = downstream
    }

    private func pause(_ ping: Ping) async throws {
        guard ping.delayMillis > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int(ping.delayMillis)))
    }

    /// Runs a handler body, counting it in the probe if it ends because it was cancelled.
    private func observingCancellation<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            if Task.isCancelled { probe.handlerCancelled() }
            throw error
        }
    }

    private func pong(for ping: Ping, context: ServerContext) -> Pong {
        Pong(
            id: ping.id,
            text: ping.text,
            payload: ping.payload,
            seenMetadata: context.metadata.map { entry in
                if case .string(let value) = entry.value { return "\(entry.key)=\(value)" }
                return entry.key
            },
            remainingMicros: context.timeRemaining.map {
                UInt64(max($0.components.seconds * 1_000_000 + $0.components.attoseconds / 1_000_000_000_000, 0))
            } ?? 0
        )
    }

    public func unary(_ request: Ping, context: ServerContext) async throws -> Pong {
        probe.countUnary()
        try await observingCancellation { try await pause(request) }
        if request.text == "fail-unavailable" {
            throw RPCError(code: .unavailable, message: "asked to fail")
        }
        if request.text == "call-downstream", let downstream {
            var inner = Ping(id: request.id + 1, text: "downstream")
            inner.delayMillis = 0
            let answer = try await downstream.unary(inner)
            var result = pong(for: request, context: context)
            result.seenMetadata = answer.seenMetadata
            result.remainingMicros = answer.remainingMicros
            return result
        }
        return pong(for: request, context: context)
    }

    public func idempotent(_ request: Ping, context: ServerContext) async throws -> Pong {
        let calls = probe.countIdempotent()
        if calls <= probe.idempotentFailures {
            throw RPCError(code: .unavailable, message: "temporarily unavailable (attempt \(calls))")
        }
        return pong(for: request, context: context)
    }

    public func serverStream(_ request: Ping, responses: MessageWriter<Pong>, context: ServerContext) async throws {
        try await observingCancellation {
            for index in 0..<Int(request.count) {
                try await pause(request)
                try await responses.write(Pong(id: Int64(index), text: request.text, payload: request.payload))
                probe.countStreamed()
            }
        }
    }

    public func clientStream(_ requests: MessageStream<Ping>, context: ServerContext) async throws -> Pong {
        var total: Int64 = 0
        var count = 0
        for try await ping in requests {
            total += ping.id
            count += 1
        }
        return Pong(id: total, text: "received \(count)")
    }

    public func bidi(
        _ requests: MessageStream<Ping>,
        responses: MessageWriter<Pong>,
        context: ServerContext
    ) async throws {
        for try await ping in requests {
            try await responses.write(Pong(id: ping.id * 2, text: ping.text))
        }
    }
}
