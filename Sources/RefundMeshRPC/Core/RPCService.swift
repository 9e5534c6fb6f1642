/// Something a server can host: a service descriptor and one handler per method.
///
/// Generated service protocols (`Health.ServiceProtocol`) refine this and provide both
/// requirements, so an implementation only writes its methods.
public protocol RPCService: Sendable {
    var serviceDescriptor: ServiceDescriptor { get }
    var handlers: [RPCMethodHandler] { get }
}
