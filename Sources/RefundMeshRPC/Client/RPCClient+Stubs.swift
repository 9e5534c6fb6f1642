import RefundMeshWire

// The four call shapes generated client stubs use. Each validates the method's kind, applies
// interceptors, deadlines and retries (see RPCClient.swift), and maps failures to RPCError.
extension RPCClient {
    /// One request, one response.
    public func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        request: Request,
        options: CallOptions = .defaults,
        responseType: Response.Type = Response.self
    ) async throws -> Response {
        let requestBytes = try encodeRequest(request)
        let options = options.actingFor(request)
        let responseBytes = try await performUnary(method, requestBytes: requestBytes, options: options)
        return try decodeResponse(Response.self, responseBytes)
    }

    /// One request, a stream of responses handed to `onResponse`. The call is cancelled if
    /// `onResponse` returns or throws before the stream ends.
    public func serverStreaming<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        _ method: MethodDescriptor,
        request: Request,
        options: CallOptions = .defaults,
        responseType: Response.Type = Response.self,
        onResponse: (MessageStream<Response>) async throws -> Result
    ) async throws -> Result {
        let requestBytes = try encodeRequest(request)
        return try await performStreaming(
            method,
            options: options.actingFor(request),
            requests: { writer in try await writer(requestBytes) },
            singleRequest: requestBytes,
            onResponse: { inbound in
                try await onResponse(MessageStream<Response>(inbound: inbound, decodeFailureCode: .internalError))
            }
        )
    }

    /// A stream of requests written by `requests`, then one response.
    public func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: MethodDescriptor,
        options: CallOptions = .defaults,
        requestType: Request.Type = Request.self,
        responseType: Response.Type = Response.self,
        requests: @escaping @Sendable (MessageWriter<Request>) async throws -> Void
    ) async throws -> Response {
        try await performStreaming(
            method,
            options: options,
            requests: { sink in try await requests(MessageWriter(sink: sink)) },
            singleRequest: nil,
            onResponse: { inbound in
                guard let bytes = try await inbound.next() else {
                    throw RPCError(code: .internalError, message: "\(method.path) ended without a response message")
                }
                return try self.decodeResponse(Response.self, bytes)
            }
        )
    }

    /// Streams both ways: `requests` writes while `onResponse` reads.
    public func bidirectionalStreaming<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        _ method: MethodDescriptor,
        options: CallOptions = .defaults,
        requestType: Request.Type = Request.self,
        responseType: Response.Type = Response.self,
        requests: @escaping @Sendable (MessageWriter<Request>) async throws -> Void,
        onResponse: (MessageStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await performStreaming(
            method,
            options: options,
            requests: { sink in try await requests(MessageWriter(sink: sink)) },
            singleRequest: nil,
            onResponse: { inbound in
                try await onResponse(MessageStream<Response>(inbound: inbound, decodeFailureCode: .internalError))
            }
        )
    }

    private func encodeRequest<Request: ProtoMessage>(_ request: Request) throws -> [UInt8] {
        do {
            return try request.serializedBytes()
        } catch let error as WireError {
            throw RPCError(
                code: .invalidArgument,
                message: "the request cannot be encoded: \(error.message)",
                cause: error
            )
        }
    }

    private func decodeResponse<Response: ProtoMessage>(_ type: Response.Type, _ bytes: [UInt8]) throws -> Response {
        do {
            return try Response(serializedBytes: bytes)
        } catch let error as WireError {
            throw RPCError(
                code: .internalError,
                message: "the server's response is not a valid \(Response.protoMessageName): \(error.message)",
                cause: error
            )
        }
    }
}
