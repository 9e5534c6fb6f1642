import Foundation
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshRPC
import RefundMeshWire
import Testing

/// docs/SECURITY.md's table, walked against the four running services: every method × every
/// role (and no token at all) gets exactly the answer the table gives it.
@Suite("who may call what (docs/SECURITY.md), over real TCP against the real services")
struct AccessPolicyMeshTests {
    /// Where each service's own methods are served.
    static let home: [String: String] = [
        Intake.descriptor.name: "intake", Review.descriptor.name: "review",
        PaymentChannel.descriptor.name: "payment-channel", Notification.descriptor.name: "notification",
    ]
    static let walkerUser = "walker-user"

    /// Requests of user methods name the walking user, so that only the role decides.
    static func request(for method: MethodDescriptor) throws -> [UInt8] {
        let user = walkerUser
        switch method {
        case Intake.Method.preCheck: return try PreCheckRequest.with { $0.userID = user }.serializedBytes()
        case Intake.Method.submitRefund: return try SubmitRefundRequest.with { $0.userID = user }.serializedBytes()
        case Intake.Method.withdrawRefund: return try WithdrawRefundRequest.with { $0.userID = user }.serializedBytes()
        case Intake.Method.supplyMaterials:
            return try SupplyMaterialsRequest.with { $0.userID = user }.serializedBytes()
        case Intake.Method.answerOffer: return try AnswerOfferRequest.with { $0.userID = user }.serializedBytes()
        case Intake.Method.listRefunds: return try ListRefundsRequest.with { $0.userID = user }.serializedBytes()
        case Intake.Method.getRefund, Intake.Method.watchRefund:
            return try GetRefundRequest.with { $0.userID = user }.serializedBytes()
        case Notification.Method.listInbox: return try ListInboxRequest.with { $0.userID = user }.serializedBytes()
        case Notification.Method.markRead: return try MarkReadRequest.with { $0.userID = user }.serializedBytes()
        case Notification.Method.watchInbox: return try WatchInboxRequest.with { $0.userID = user }.serializedBytes()
        case Notification.Method.setPreferences:
            return try ChannelPreferences.with { $0.userID = user }.serializedBytes()
        case Notification.Method.getPreferences:
            return try GetPreferencesRequest.with { $0.userID = user }.serializedBytes()
        case PaymentChannel.Method.getBalance: return try GetBalanceRequest.with { $0.userID = user }.serializedBytes()
        // Walking Drain must not leave the service drained: resume is an operator's call too.
        case Operations.Method.drain: return try DrainRequest.with { $0.resume = true }.serializedBytes()
        default: return []
        }
    }

    static func token(_ role: Role, audience: String) throws -> String {
        let subject = role == .user ? walkerUser : Role.services.contains(role) ? role.rawValue : "walker"
        return try TestKeys.minter.token(subject: subject, role: role, audience: audience)
    }

    /// The status `method` ends with when called with `token` (OK included).
    static func call(
        _ client: RPCClient,
        _ method: MethodDescriptor,
        token: String?,
        request: [UInt8]
    ) async -> StatusCode {
        var options = CallOptions(timeout: .seconds(method.kind == .unary ? 60 : 15), maxAttempts: 1)
        if let token { options.metadata.addString("Bearer " + token, forKey: "authorization") }
        do {
            switch method.kind {
            case .unary:
                _ = try await client.performUnary(method, requestBytes: request, options: options)
            default:
                try await client.performStreaming(
                    method,
                    options: options,
                    requests: { send in try await send(request) },
                    singleRequest: request,
                    onResponse: { inbound in _ = try await inbound.next() }
                )
            }
            return .ok
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    @Test("every method × every role, and no token: the table's answer, on every service")
    func walkTheTable() async throws {
        let mesh = try Mesh()
        try await mesh.start()
        var mismatches: [String] = []
        var calls = 0
        for descriptor in AccessPolicy.services {
            // A service's own methods at home; health, discovery and operations on all four.
            let targets = Self.home[descriptor.name].map { [$0] } ?? Mesh.names
            for target in targets {
                let client = mesh.client(target, signed: false)
                for method in descriptor.methods {
                    let rule = try #require(AccessPolicy.refundMesh[method.path], "\(method.path) has no rule")
                    let request = try Self.request(for: method)
                    for role in [Role?.none] + Role.all.map(Optional.some) {
                        let token = try role.map { try Self.token($0, audience: target) }
                        let code = await Self.call(client, method, token: token, request: request)
                        calls += 1
                        let allowed = role.map(rule.admits) ?? (rule == .anyone)
                        let expectation: Bool
                        if allowed {
                            expectation = code != .unauthenticated && code != .permissionDenied
                        } else {
                            expectation = code == (role == nil ? .unauthenticated : .permissionDenied)
                        }
                        if !expectation {
                            mismatches.append("\(target) \(method.path) as \(role?.rawValue ?? "no token"): \(code)")
                        }
                    }
                }
                await client.close()
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(calls > 500)
        // Still serving everyone after the walk.
        for name in Mesh.names {
            let health = try await Health.Client(mesh.client(name)).check(HealthCheckRequest())
            #expect(health.status == .serving, "\(name)")
        }
        _ = try await mesh.stop()
    }

    @Test("every method each service serves has a rule (discovery's list against the table)")
    func everyServedMethodHasARule() async throws {
        for descriptor in AccessPolicy.services {
            for method in descriptor.methods {
                #expect(AccessPolicy.refundMesh[method.path] != nil, "\(method.path)")
            }
        }
        let mesh = try Mesh()
        try await mesh.start()
        for name in Mesh.names {
            let listed = try await ServerReflection.Client(mesh.client(name)).listServices(ListServicesRequest())
            for service in listed.services {
                let known = try #require(
                    AccessPolicy.services.first { $0.name == service.name },
                    "\(name) serves \(service.name), which the table does not cover"
                )
                #expect(Set(service.methods.map(\.name)) == Set(known.methods.map(\.method)), "\(service.name)")
            }
        }
        _ = try await mesh.stop()
    }

    @Test("docs/SECURITY.md prints exactly the code's table")
    func documentedTable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/SECURITY.md"), encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- access-table:begin -->\n"))
        let end = try #require(text.range(of: "<!-- access-table:end -->"))
        let documented = String(text[begin.upperBound..<end.lowerBound])
        let expected = AccessTable.markdown(AccessPolicy.refundMesh, services: AccessPolicy.services)
        #expect(
            documented == expected,
            "docs/SECURITY.md's table differs from AccessPolicy; it should read:\n\(expected)"
        )
    }
}

/// The markdown form of the table, as docs/SECURITY.md prints it.
enum AccessTable {
    static func markdown(_ policy: AuthorizationPolicy, services: [ServiceDescriptor]) -> String {
        var lines = ["| Service | Method | Who may call it |", "|---|---|---|"]
        for descriptor in services {
            for method in descriptor.methods {
                lines.append("| \(descriptor.name) | \(method.method) | \(describe(policy[method.path])) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ rule: MethodRule?) -> String {
        switch rule {
        case nil: return "nobody (no rule)"
        case .anyone: return "anyone, no token"
        case .anyCaller: return "any caller with a valid token"
        case .roles(let roles):
            return Role.all.filter(roles.contains).map { $0 == .user ? "user (own only)" : $0.rawValue }
                .joined(separator: ", ")
        }
    }
}

extension ProtoMessage {
    /// A message with `body` applied to the default one.
    static func with(_ body: (inout Self) -> Void) -> Self {
        var message = Self()
        body(&message)
        return message
    }
}
