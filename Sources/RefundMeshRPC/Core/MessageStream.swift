import RefundMeshWire

/// The messages of a stream as they arrive: a streaming call's responses, or a
/// client-streaming handler's requests. Each message taken from the stream reopens the
/// sender's flow-control window by one.
public struct MessageStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message

    private let inbound: InboundMessages
    private let decodeFailureCode: StatusCode

    package init(inbound: InboundMessages, decodeFailureCode: StatusCode) {
        self.inbound = inbound
        self.decodeFailureCode = decodeFailureCode
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let inbound: InboundMessages
        fileprivate let decodeFailureCode: StatusCode

        public mutating func next() async throws -> Message? {
            guard let bytes = try await inbound.next() else { return nil }
            do {
                return try Message(serializedBytes: bytes)
            } catch let error as WireError {
                throw RPCError(
                    code: decodeFailureCode,
                    message: "a message is not a valid \(Message.protoMessageName): \(error.message)",
                    cause: error
                )
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(inbound: inbound, decodeFailureCode: decodeFailureCode)
    }
}
