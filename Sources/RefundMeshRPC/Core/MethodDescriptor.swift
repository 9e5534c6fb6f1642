/// Describes one RPC method: its path, its kind and whether it is safe to retry.
///
/// Generated code declares one per method (e.g. `Health.Method.check`).
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// How many messages flow each way.
    public enum Kind: String, Sendable, Hashable {
        case unary
        case serverStreaming
        case clientStreaming
        case bidirectionalStreaming
    }

    /// The fully qualified service name, e.g. `refundmesh.health.v1.Health`.
    public let service: String
    /// The method name, e.g. `Check`.
    public let method: String
    public let kind: Kind
    /// Declared in the .proto with `idempotency_level` IDEMPOTENT or NO_SIDE_EFFECTS: the client
    /// may retry it after a failure that could have happened after the server received it.
    public let isIdempotent: Bool
    /// Fully qualified protobuf type names.
    public let requestType: String
    public let responseType: String
    /// `/service/method`, as it travels in a CALL frame.
    public let path: String

    public init(
        service: String,
        method: String,
        kind: Kind,
        isIdempotent: Bool,
        requestType: String,
        responseType: String
    ) {
        self.service = service
        self.method = method
        self.kind = kind
        self.isIdempotent = isIdempotent
        self.requestType = requestType
        self.responseType = responseType
        self.path = "/\(service)/\(method)"
    }

    public var description: String { path }
}
