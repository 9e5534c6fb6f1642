import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of the sandbox's control API (`/sandbox/v1`, docs/SANDBOX.md) for mesh tests, benches
/// and drills: script behaviour (rules, rates), register trades and operator records, and read the
/// sandbox's own records, the truth the invariants are checked against (R-C5, R-C6).
///
/// It uses the sandbox's own Codable types, so the control API and its callers cannot disagree.
public struct SandboxControlClient: Sendable {
    /// `http://host:port` of a running `provider-sandbox`.
    public let baseURL: String
    private let httpClient: HTTPClient
    private let timeout: TimeAmount

    /// - Parameters:
    ///   - baseURL: the sandbox's address, e.g. `http://127.0.0.1:7080` (a trailing `/` is dropped).
    ///   - httpClient: the client to use; `HTTPClient.shared` unless given.
    ///   - timeout: for each control call (default 30 s; a busy sandbox under a soak answers slowly).
    public init(baseURL: String, httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// `POST /rules`; answers the rule's id.
    @discardableResult
    public func addRule(_ rule: BehaviourRule) async throws -> String {
        let answer: [String: String] = try await call(.POST, "rules", body: rule)
        return answer["rule_id"] ?? ""
    }

    /// `DELETE /rules`.
    public func clearRules() async throws {
        try await send(.DELETE, "rules", body: nil)
    }

    /// `PUT /rates`: replaces the random faults and restarts the generator from their seed.
    public func setRates(_ rates: FaultRates) async throws {
        try await send(.PUT, "rates", body: try Self.encoder.encode(rates))
    }

    /// `POST /trades`: registers a payment's total before its refunds (Alipay, bank).
    public func registerTrade(provider: String, tradeNo: String, totalFen: Int64, paidAtMs: Int64? = nil) async throws {
        struct Body: Encodable {
            var provider: String
            var tradeNo: String
            var totalFen: Int64
            var paidAtMs: Int64?
            enum CodingKeys: String, CodingKey {
                case provider
                case tradeNo = "trade_no"
                case totalFen = "total_fen"
                case paidAtMs = "paid_at_ms"
            }
        }
        let body = Body(provider: provider, tradeNo: tradeNo, totalFen: totalFen, paidAtMs: paidAtMs)
        try await send(.POST, "trades", body: try Self.encoder.encode(body))
    }

    /// `PUT /operator/recharges/{order_id}`: what the game operator answers for `orderID` (R-R2).
    public func setRecharge(orderID: String, status: String, creditedAtMs: Int64? = nil) async throws {
        struct Body: Encodable {
            var status: String
            var creditedAtMs: Int64?
            enum CodingKeys: String, CodingKey {
                case status
                case creditedAtMs = "credited_at_ms"
            }
        }
        let body = try Self.encoder.encode(Body(status: status, creditedAtMs: creditedAtMs))
        try await send(.PUT, "operator/recharges/\(Self.escape(orderID))", body: body)
    }

    /// `GET /refunds`: every refund number the sandbox saw, optionally of one provider.
    public func refunds(provider: String? = nil) async throws -> [ProviderRefund] {
        struct List: Decodable { var refunds: [ProviderRefund] }
        let list: List = try await call(.GET, "refunds" + (provider.map { "?provider=\($0)" } ?? ""))
        return list.refunds
    }

    /// `GET /trades`: totals and what is refunded of them.
    public func trades(provider: String? = nil) async throws -> [ProviderTrade] {
        struct List: Decodable { var trades: [ProviderTrade] }
        let list: List = try await call(.GET, "trades" + (provider.map { "?provider=\($0)" } ?? ""))
        return list.trades
    }

    /// `GET /stats`.
    public func stats() async throws -> SandboxStats {
        try await call(.GET, "stats")
    }

    /// `GET /sms`: the SMS the sandbox accepted, optionally for one phone.
    public func messages(phone: String? = nil) async throws -> [SMSMessage] {
        struct List: Decodable { var messages: [SMSMessage] }
        let list: List = try await call(.GET, "sms" + (phone.map { "?phone=\(Self.escape($0))" } ?? ""))
        return list.messages
    }

    /// `GET /notifications`: how many notifications still wait for a 2xx from the merchant.
    public func pendingNotifications() async throws -> Int {
        struct Pending: Decodable {}
        struct List: Decodable { var pending: [Pending] }
        let list: List = try await call(.GET, "notifications")
        return list.pending.count
    }

    // MARK: - HTTP

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/+")))
            ?? text
    }

    private func call<Body: Encodable, Answer: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        body: Body
    ) async throws -> Answer {
        let data = try await send(method, path, body: try Self.encoder.encode(body))
        return try Self.decode(Answer.self, from: data, path: path)
    }

    private func call<Answer: Decodable>(_ method: HTTPMethod, _ path: String) async throws -> Answer {
        let data = try await send(method, path, body: nil)
        return try Self.decode(Answer.self, from: data, path: path)
    }

    private static func decode<Answer: Decodable>(_ type: Answer.Type, from data: Data, path: String) throws -> Answer {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw SandboxControlError(
                "/sandbox/v1/\(path) answered JSON that is not a \(type): \(error); body: "
                    + String(decoding: data.prefix(300), as: UTF8.self)
            )
        }
    }

    @discardableResult
    private func send(_ method: HTTPMethod, _ path: String, body: Data?) async throws -> Data {
        var request = HTTPClientRequest(url: "\(baseURL)/sandbox/v1/\(path)")
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await httpClient.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 256 << 20)
        let data = Data(buffer: bytes)
        guard (200..<300).contains(response.status.code) else {
            throw SandboxControlError(
                "\(method) /sandbox/v1/\(path) answered \(response.status.code): "
                    + String(decoding: data.prefix(500), as: UTF8.self)
            )
        }
        return data
    }
}

/// A control call the sandbox refused or answered with something unreadable; the message names
/// the call and quotes the answer.
public struct SandboxControlError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
