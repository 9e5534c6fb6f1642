import Hummingbird
import RefundMeshHosting
import RefundMeshProviders

/// The control API under `/sandbox/v1`, for tests, benches and operators: script behaviour,
/// set fault rates, register trades, set operator records, and read the records (R-C5
/// invariants included). See docs/SANDBOX.md for every endpoint with curl examples.
struct ControlRoutes: Sendable {
    let store: SandboxStore
    let engine: BehaviourEngine
    let now: @Sendable () -> Int64

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group("sandbox/v1")
        group.post("rules") { request, _ in try await addRule(request) }
        group.get("rules") { _, _ in try HTTPExchange.json(RuleList(rules: engine.rules)) }
        group.delete("rules") { _, _ in
            engine.clearRules()
            return try HTTPExchange.json(RuleList(rules: []))
        }
        group.put("rates") { request, _ in try await setRates(request) }
        group.get("rates") { _, _ in try HTTPExchange.json(engine.rates) }
        group.post("trades") { request, _ in try await registerTrade(request) }
        group.get("trades") { request, _ in
            let provider = try provider(in: request)
            return try HTTPExchange.json(TradeList(trades: try await store.trades(provider: provider)))
        }
        group.get("refunds") { request, _ in
            let provider = try provider(in: request)
            return try HTTPExchange.json(RefundList(refunds: try await store.refunds(provider: provider)))
        }
        group.get("stats") { _, _ in try HTTPExchange.json(try await store.stats()) }
        group.get("notifications") { _, _ in
            let pending = try await store.pendingNotifications().map { message in
                PendingNotification(
                    eventID: message.eventID,
                    state: message.kind,
                    attempts: message.attempts,
                    lastError: message.lastError,
                    nextAttemptAtMs: Int64(message.nextAttemptAt.timeIntervalSince1970 * 1000)
                )
            }
            return try HTTPExchange.json(["pending": pending])
        }
        group.get("sms") { request, _ in
            let phone = request.uri.queryParameters["phone"].map(String.init)
            return try HTTPExchange.json(MessageList(messages: try await store.messages(phone: phone)))
        }
        group.put("operator/recharges/:order_id") { request, context in
            try await setRecharge(request, orderID: try context.parameters.require("order_id"))
        }
    }

    private func addRule(_ request: Request) async throws -> Response {
        do {
            let rule = try HTTPExchange.decode(BehaviourRule.self, from: try await HTTPExchange.body(of: request))
            let id = try engine.add(rule)
            return try HTTPExchange.json(["rule_id": id], status: .created)
        } catch let error as SandboxRequestError {
            return HTTPExchange.error(.badRequest, code: "INVALID_RULE", message: error.message)
        }
    }

    private func setRates(_ request: Request) async throws -> Response {
        do {
            let rates = try HTTPExchange.decode(FaultRates.self, from: try await HTTPExchange.body(of: request))
            try engine.setRates(rates)
            return try HTTPExchange.json(engine.rates)
        } catch let error as SandboxRequestError {
            return HTTPExchange.error(.badRequest, code: "INVALID_RATES", message: error.message)
        }
    }

    private func registerTrade(_ request: Request) async throws -> Response {
        do {
            let body = try HTTPExchange.decode(TradeRegistration.self, from: try await HTTPExchange.body(of: request))
            guard let provider = ProviderKind(rawValue: body.provider), ProviderKind.refundProviders.contains(provider)
            else {
                throw SandboxRequestError("provider is \"\(body.provider)\"; expected wechat, alipay or bank")
            }
            guard body.totalFen > 0 else { throw SandboxRequestError("total_fen is \(body.totalFen); it must be > 0") }
            let trade = ProviderTrade(
                provider: provider,
                tradeNo: body.tradeNo,
                merchant: body.merchant ?? "",
                totalFen: body.totalFen,
                paidAtMs: body.paidAtMs ?? now()
            )
            try await store.register(trade)
            return try HTTPExchange.json(trade, status: .created)
        } catch let error as SandboxRequestError {
            return HTTPExchange.error(.badRequest, code: "INVALID_TRADE", message: error.message)
        }
    }

    private func setRecharge(_ request: Request, orderID: String) async throws -> Response {
        do {
            let body = try HTTPExchange.decode(RechargeUpdate.self, from: try await HTTPExchange.body(of: request))
            let status = OperatorRechargeStatus(rawValue: body.status)
            guard SandboxStore.rechargeStatuses.contains(status) else {
                throw SandboxRequestError(
                    "status is \"\(body.status)\"; expected "
                        + SandboxStore.rechargeStatuses.map(\.rawValue).joined(separator: ", ")
                )
            }
            let credited = status == .credited ? (body.creditedAtMs ?? now()) : body.creditedAtMs
            let recharge = OperatorRecharge(orderID: orderID, status: status, creditedAtMs: credited)
            try await store.setRecharge(recharge, now: now())
            return try HTTPExchange.json(recharge)
        } catch let error as SandboxRequestError {
            return HTTPExchange.error(.badRequest, code: "INVALID_RECHARGE", message: error.message)
        }
    }

    private func provider(in request: Request) throws -> ProviderKind? {
        guard let text = request.uri.queryParameters["provider"], !text.isEmpty else { return nil }
        guard let provider = ProviderKind(rawValue: String(text)) else {
            throw HTTPError(.badRequest, message: "provider=\(text) is unknown; expected wechat, alipay or bank")
        }
        return provider
    }

    struct RuleList: Codable { var rules: [BehaviourRule] }

    /// A notification still waiting for the merchant's 2xx.
    struct PendingNotification: Codable {
        var eventID: String
        var state: String
        var attempts: Int
        var lastError: String?
        var nextAttemptAtMs: Int64

        enum CodingKeys: String, CodingKey {
            case eventID = "event_id"
            case state, attempts
            case lastError = "last_error"
            case nextAttemptAtMs = "next_attempt_at_ms"
        }
    }
    struct TradeList: Codable { var trades: [ProviderTrade] }
    struct RefundList: Codable { var refunds: [ProviderRefund] }
    struct MessageList: Codable { var messages: [SMSMessage] }

    struct TradeRegistration: Codable {
        var provider: String
        var tradeNo: String
        var merchant: String?
        var totalFen: Int64
        var paidAtMs: Int64?

        enum CodingKeys: String, CodingKey {
            case provider
            case tradeNo = "trade_no"
            case merchant
            case totalFen = "total_fen"
            case paidAtMs = "paid_at_ms"
        }
    }

    struct RechargeUpdate: Codable {
        var status: String
        var creditedAtMs: Int64?

        enum CodingKeys: String, CodingKey {
            case status
            case creditedAtMs = "credited_at_ms"
        }
    }
}
