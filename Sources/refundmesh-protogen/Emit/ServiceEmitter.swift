/// Emits a service as a namespace enum: method descriptors, the `ServiceProtocol` a server
/// implements, its `handlers`, and a `Client` whose methods call through `RPCClient`.
struct ServiceEmitter {
    let resolver: TypeResolver

    /// Names the generated namespace declares; a message type spelled the same is qualified
    /// with its module so it is not shadowed inside the namespace.
    private static let namespaceMembers: Set<String> = ["Method", "Client", "ServiceProtocol"]

    private struct MethodPlan {
        var method: ProtoMethod
        var swiftName: String
        var request: String
        var response: String

        var kind: String {
            switch (method.clientStreaming, method.serverStreaming) {
            case (false, false): return "unary"
            case (false, true): return "serverStreaming"
            case (true, false): return "clientStreaming"
            case (true, true): return "bidirectionalStreaming"
            }
        }
    }

    func emit(_ service: ProtoService, into writer: inout CodeWriter) throws {
        let name = SwiftNaming.escapedType(service.name)
        let plans = try service.methods.map { method in
            MethodPlan(
                method: method,
                swiftName: SwiftNaming.lowerCamel(method.name),
                request: try typeName(method.inputType),
                response: try typeName(method.outputType)
            )
        }
        var seen: Set<String> = ["rpc", "serviceDescriptor", "handlers"]
        for plan in plans where !seen.insert(plan.swiftName).inserted {
            throw ProtogenError("\(service.fullName).\(plan.method.name): the Swift name \(plan.swiftName) is taken")
        }

        writer.doc(service.comment)
        writer.block("public enum \(name) {") { w in
            let list = plans.map { "Method.\(SwiftNaming.escaped($0.swiftName))" }.joined(separator: ", ")
            let oneLine =
                "public static let descriptor = ServiceDescriptor(name: \"\(service.fullName)\", methods: [\(list)])"
            if oneLine.count <= 112 {
                w.line(oneLine)
            } else {
                w.line("public static let descriptor = ServiceDescriptor(")
                w.line("    name: \"\(service.fullName)\",")
                w.line("    methods: [")
                for plan in plans {
                    w.line("        Method.\(SwiftNaming.escaped(plan.swiftName)),")
                }
                w.line("    ]")
                w.line(")")
            }
            w.line()
            w.block("public enum Method {") { w in
                for (index, plan) in plans.enumerated() {
                    if index > 0 { w.line() }
                    w.doc(plan.method.comment)
                    w.line("public static let \(SwiftNaming.escaped(plan.swiftName)) = MethodDescriptor(")
                    w.line("    service: \"\(service.fullName)\",")
                    w.line("    method: \"\(plan.method.name)\",")
                    w.line("    kind: .\(plan.kind),")
                    w.line("    isIdempotent: \(plan.method.isIdempotent),")
                    w.line("    requestType: \"\(plan.method.inputType)\",")
                    w.line("    responseType: \"\(plan.method.outputType)\"")
                    w.line(")")
                }
            }
            w.line()
            w.doc(service.comment ?? " What a server implements to host \(service.fullName).")
            w.block("public protocol ServiceProtocol: RPCService {") { w in
                for (index, plan) in plans.enumerated() {
                    if index > 0 { w.line() }
                    w.doc(plan.method.comment)
                    w.line(requirement(plan))
                }
            }
            w.line()
            w.line("/// Calls \(service.fullName) through an ``RPCClient``.")
            w.block("public struct Client: Sendable {") { w in
                w.line("public let rpc: RPCClient")
                w.line()
                w.line("public init(_ rpc: RPCClient) { self.rpc = rpc }")
                for plan in plans {
                    w.line()
                    w.doc(plan.method.comment)
                    emitClientMethod(plan, into: &w)
                }
            }
        }
        writer.line()
        writer.block("extension \(name).ServiceProtocol {") { w in
            w.line("public var serviceDescriptor: ServiceDescriptor { \(name).descriptor }")
            w.line()
            w.block("public var handlers: [RPCMethodHandler] {") { w in
                w.block("[", closing: "]") { w in
                    for plan in plans {
                        emitHandler(plan, service: name, into: &w)
                    }
                }
            }
        }
    }

    private func typeName(_ fullName: String) throws -> String {
        let type = try resolver.swiftType(fullName, from: [])
        let first = type.split(separator: ".").first.map(String.init) ?? type
        if Self.namespaceMembers.contains(first) { return resolver.module + "." + type }
        return type
    }

    private func requirement(_ plan: MethodPlan) -> String {
        let name = SwiftNaming.escaped(plan.swiftName)
        switch plan.kind {
        case "unary":
            return "func \(name)(_ request: \(plan.request), context: ServerContext) async throws -> \(plan.response)"
        case "serverStreaming":
            return
                "func \(name)(_ request: \(plan.request), responses: MessageWriter<\(plan.response)>, context: ServerContext) async throws"
        case "clientStreaming":
            return
                "func \(name)(_ requests: MessageStream<\(plan.request)>, context: ServerContext) async throws -> \(plan.response)"
        default:
            return
                "func \(name)(_ requests: MessageStream<\(plan.request)>, responses: MessageWriter<\(plan.response)>, context: ServerContext) async throws"
        }
    }

    private func emitClientMethod(_ plan: MethodPlan, into w: inout CodeWriter) {
        let name = SwiftNaming.escaped(plan.swiftName)
        let method = "Method.\(name)"
        switch plan.kind {
        case "unary":
            w.line(
                "public func \(name)(_ request: \(plan.request), options: CallOptions = .defaults) async throws -> \(plan.response) {"
            )
            w.line("    try await rpc.unary(\(method), request: request, options: options)")
        case "serverStreaming":
            w.line("public func \(name)<Result: Sendable>(")
            w.line("    _ request: \(plan.request),")
            w.line("    options: CallOptions = .defaults,")
            w.line("    onResponse: (MessageStream<\(plan.response)>) async throws -> Result")
            w.line(") async throws -> Result {")
            w.line(
                "    try await rpc.serverStreaming(\(method), request: request, options: options, onResponse: onResponse)"
            )
        case "clientStreaming":
            w.line("public func \(name)(")
            w.line("    options: CallOptions = .defaults,")
            w.line("    requests: @escaping @Sendable (MessageWriter<\(plan.request)>) async throws -> Void")
            w.line(") async throws -> \(plan.response) {")
            w.line("    try await rpc.clientStreaming(\(method), options: options, requests: requests)")
        default:
            w.line("public func \(name)<Result: Sendable>(")
            w.line("    options: CallOptions = .defaults,")
            w.line("    requests: @escaping @Sendable (MessageWriter<\(plan.request)>) async throws -> Void,")
            w.line("    onResponse: (MessageStream<\(plan.response)>) async throws -> Result")
            w.line(") async throws -> Result {")
            w.line(
                "    try await rpc.bidirectionalStreaming(\(method), options: options, requests: requests, onResponse: onResponse)"
            )
        }
        w.line("}")
    }

    private func emitHandler(_ plan: MethodPlan, service: String, into w: inout CodeWriter) {
        let name = SwiftNaming.escaped(plan.swiftName)
        let method = "\(service).Method.\(name)"
        switch plan.kind {
        case "unary":
            w.line(".unary(\(method)) { request, context in")
            w.line("    try await self.\(name)(request, context: context)")
        case "serverStreaming":
            w.line(".serverStreaming(\(method)) { request, responses, context in")
            w.line("    try await self.\(name)(request, responses: responses, context: context)")
        case "clientStreaming":
            w.line(".clientStreaming(\(method)) { requests, context in")
            w.line("    try await self.\(name)(requests, context: context)")
        default:
            w.line(".bidirectionalStreaming(\(method)) { requests, responses, context in")
            w.line("    try await self.\(name)(requests, responses: responses, context: context)")
        }
        w.line("},")
    }
}
