import RefundMeshWire

/// PLACEHOLDER while the runtime is written: the real client replaces this file.
public final class RPCClient: Sendable {
    package func performUnary(_ method: MethodDescriptor, requestBytes: [UInt8], options: CallOptions) async throws -> [UInt8] {
        fatalError("not yet")
    }

    package func performStreaming<Result: Sendable>(
        _ method: MethodDescriptor,
        options: CallOptions,
        requests: @escaping @Sendable (@escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Void,
        singleRequest: [UInt8]?,
        onResponse: (InboundMessages) async throws -> Result
    ) async throws -> Result {
        fatalError("not yet")
    }
}
