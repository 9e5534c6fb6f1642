/// Finds the handler for a method path, and explains a miss.
struct MethodRouter: Sendable {
    private var handlers: [String: RPCMethodHandler] = [:]
    private(set) var services: [ServiceDescriptor] = []

    init(services: [any RPCService]) {
        for service in services { add(service) }
    }

    mutating func add(_ service: any RPCService) {
        if let existing = services.firstIndex(where: { $0.name == service.serviceDescriptor.name }) {
            services.remove(at: existing)
        }
        services.append(service.serviceDescriptor)
        for handler in service.handlers {
            handlers[handler.method.path] = handler
        }
    }

    func handler(for path: String) -> RPCMethodHandler? {
        handlers[path]
    }

    /// A message a person can act on for a path with no handler.
    func unimplementedMessage(for path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
            return "method path \"\(path)\" is malformed; expected \"/package.Service/Method\""
        }
        let serviceName = String(parts[1])
        if let service = services.first(where: { $0.name == serviceName }) {
            let known = service.methods.map(\.method).joined(separator: ", ")
            return "service \(serviceName) has no method \(parts[2]); it has: \(known)"
        }
        let known = services.map(\.name).sorted().joined(separator: ", ")
        return "service \(serviceName) is not served here; this server serves: \(known)"
    }
}
