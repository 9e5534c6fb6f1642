import RefundMeshWire

/// One method of a hosted service: its descriptor and a type-erased body the server runs.
///
/// Generated service protocols build these (see `Health.ServiceProtocol.handlers`); request
/// decoding failures become INVALID_ARGUMENT with the reason, before the handler runs.
public struct RPCMethodHandler: Sendable {
    /// The sink a streaming handler writes encoded responses to.
    package typealias Sink = @Sendable ([UInt8]) async throws -> Void

    package enum Body: Sendable {
        /// One request in, one response out: the fast path (no stream objects at all).
        case unary(@Sendable ([UInt8], ServerContext) async throws -> [UInt8])
        /// Any streaming kind: requests from the inbound queue, responses to the sink, and an
        /// optional final response sent with the status.
        case streaming(@Sendable (InboundMessages, @escaping Sink, ServerContext) async throws -> [UInt8]?)
    }

    public let method: MethodDescriptor
    package let body: Body

    package init(method: MethodDescriptor, body: Body) {
        self.method = method
        self.body = body
    }

    public static func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) -> RPCMethodHandler {
        RPCMethodHandler(
            method: method,
            body: .unary { bytes, context in
                let request = try decodeRequest(Request.self, bytes)
                return try await handler(request, context).serializedBytes()
            }
        )
    }

    public static func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (Request, MessageWriter<Response>, ServerContext) async throws -> Void
    ) -> RPCMethodHandler {
        RPCMethodHandler(
            method: method,
            body: .streaming { inbound, sink, context in
                let request = try await singleRequest(Request.self, from: inbound)
                try await handler(request, MessageWriter(sink: sink), context)
                return nil
            }
        )
    }

    public static func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler: @escaping @Sendable (MessageStream<Request>, ServerContext) async throws -> Response
    ) -> RPCMethodHandler {
        RPCMethodHandler(
            method: method,
            body: .streaming { inbound, _, context in
                let requests = MessageStream<Request>(inbound: inbound, decodeFailureCode: .invalidArgument)
                return try await handler(requests, context).serializedBytes()
            }
        )
    }

    public static func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        _ handler:
            @escaping @Sendable (MessageStream<Request>, MessageWriter<Response>, ServerContext) async throws -> Void
    ) -> RPCMethodHandler {
        RPCMethodHandler(
            method: method,
            body: .streaming { inbound, sink, context in
                let requests = MessageStream<Request>(inbound: inbound, decodeFailureCode: .invalidArgument)
                try await handler(requests, MessageWriter(sink: sink), context)
                return nil
            }
        )
    }

    private static func decodeRequest<Request: ProtoMessage>(_ type: Request.Type, _ bytes: [UInt8]) throws -> Request {
        do {
            let request = try Request(serializedBytes: bytes)
            if let check = RequestCheck.current { try check(request) }
            return request
        } catch let error as WireError {
            throw RPCError(
                code: .invalidArgument,
                message: "the request is not a valid \(Request.protoMessageName): \(error.message)",
                cause: error
            )
        }
    }

    private static func singleRequest<Request: ProtoMessage>(
        _ type: Request.Type,
        from inbound: InboundMessages
    ) async throws -> Request {
        guard let bytes = try await inbound.next() else {
            throw RPCError(
                code: .invalidArgument,
                message: "the call carried no request message; this method takes exactly one"
            )
        }
        return try decodeRequest(Request.self, bytes)
    }
}
