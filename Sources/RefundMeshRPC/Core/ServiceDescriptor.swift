/// A service and its methods, as declared in a .proto file.
public struct ServiceDescriptor: Sendable, Hashable {
    /// The fully qualified name, e.g. `refundmesh.health.v1.Health`.
    public let name: String
    public let methods: [MethodDescriptor]

    public init(name: String, methods: [MethodDescriptor]) {
        self.name = name
        self.methods = methods
    }
}
