import RefundMeshWire

/// Sends the messages of a stream: a server-streaming handler's responses, or a
/// client-streaming caller's requests. ``write(_:)`` waits while the receiver's flow-control
/// window is closed, so a slow reader slows the writer instead of filling memory.
public struct MessageWriter<Message: ProtoMessage>: Sendable {
    private let sink: @Sendable ([UInt8]) async throws -> Void

    package init(sink: @escaping @Sendable ([UInt8]) async throws -> Void) {
        self.sink = sink
    }

    /// Sends one message.
    /// - Throws: ``RPCError`` when the call has ended (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE).
    public func write(_ message: Message) async throws {
        try await sink(try message.serializedBytes())
    }

    /// Sends each message in order.
    public func write(contentsOf messages: some Sequence<Message>) async throws {
        for message in messages { try await write(message) }
    }
}
