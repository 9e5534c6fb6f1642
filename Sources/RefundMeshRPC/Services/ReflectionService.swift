/// The discovery service every server hosts (`refundmesh.reflection.v1.ServerReflection`): which
/// services and methods this server serves, with their kinds and idempotency.
struct ReflectionService: ServerReflection.ServiceProtocol {
    let services: @Sendable () -> [ServiceDescriptor]
    let version: String

    static var descriptorForSelf: ServiceDescriptor { ServerReflection.descriptor }

    func listServices(_ request: ListServicesRequest, context: ServerContext) async throws -> ListServicesResponse {
        let infos = services()
            .sorted { $0.name < $1.name }
            .map { service in
                ServiceInfo(
                    name: service.name,
                    methods: service.methods.map { method in
                        MethodInfo(
                            name: method.method,
                            path: method.path,
                            kind: MethodInfo.Kind(method.kind),
                            requestType: method.requestType,
                            responseType: method.responseType,
                            idempotent: method.isIdempotent
                        )
                    }
                )
            }
        return ListServicesResponse(services: infos, serverVersion: version)
    }
}

extension MethodInfo.Kind {
    init(_ kind: MethodDescriptor.Kind) {
        switch kind {
        case .unary: self = .unary
        case .serverStreaming: self = .serverStreaming
        case .clientStreaming: self = .clientStreaming
        case .bidirectionalStreaming: self = .bidirectionalStreaming
        }
    }
}
