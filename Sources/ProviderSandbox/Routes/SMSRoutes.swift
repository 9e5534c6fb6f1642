import Crypto
import Foundation
import Hummingbird

/// The SMS gateway (R-N2): `POST /sms/v1/messages`, signed with the account's secret
/// (base64 HMAC-SHA256 over "TIMESTAMP\nBODY"), each message id accepted once, at most one
/// message per phone per second. The sandbox's own API, so its signing lives here.
struct SMSRoutes: Sendable {
    let desk: RefundDesk
    let accounts: [String: [UInt8]]
    let maximumSkew: Duration

    func register(on router: Router<BasicRequestContext>) {
        router.post("sms/v1/messages") { request, _ in try await send(request) }
    }

    private func send(_ request: Request) async throws -> Response {
        let body = try await HTTPExchange.body(of: request)
        guard let account = HTTPExchange.header(request, "X-Sms-Account"),
            let timestamp = HTTPExchange.header(request, "X-Sms-Timestamp"),
            let signature = HTTPExchange.header(request, "X-Sms-Signature")
        else {
            try await desk.store.count(.signatureErrors)
            return HTTPExchange.error(
                .unauthorized,
                code: "SIGN_ERROR",
                message: "X-Sms-Account, X-Sms-Timestamp and X-Sms-Signature are required"
            )
        }
        guard let secret = accounts[account] else {
            try await desk.store.count(.signatureErrors)
            return HTTPExchange.error(.unauthorized, code: "SIGN_ERROR", message: "unknown SMS account \(account)")
        }
        guard Self.verify(body: body, timestamp: timestamp, signature: signature, secret: secret) else {
            try await desk.store.count(.signatureErrors)
            return HTTPExchange.error(
                .unauthorized,
                code: "SIGN_ERROR",
                message: "X-Sms-Signature is not base64 HMAC-SHA256 over \"TIMESTAMP\\nBODY\" with the account's secret"
            )
        }
        // Real time, as the sender signs with it (the sandbox clock may start elsewhere for drills).
        let realNow = Int64(Date().timeIntervalSince1970 * 1000)
        guard Self.isFresh(timestamp, now: realNow, maximumSkew: maximumSkew) else {
            try await desk.store.count(.signatureErrors)
            return HTTPExchange.error(
                .unauthorized,
                code: "SIGN_ERROR",
                message: "X-Sms-Timestamp \(timestamp) is more than \(maximumSkew) from the gateway's clock"
            )
        }
        let message: SendMessage
        do {
            message = try HTTPExchange.decode(SendMessage.self, from: body)
            guard !message.messageID.isEmpty, !message.phone.isEmpty, !message.text.isEmpty else {
                throw SandboxRequestError("message_id, phone and text must not be empty")
            }
        } catch let error as SandboxRequestError {
            return HTTPExchange.error(.badRequest, code: "INVALID_PARAMETER", message: error.message)
        }
        let behaviour = try await desk.behaviour(
            for: RequestFacts(provider: .sms, refundNo: nil, tradeNo: nil, orderID: nil, phone: message.phone)
        )
        if let code = behaviour.fail {
            try await desk.store.count(.failedAnswers)
            let status: HTTPResponse.Status =
                switch code {
                case "RATE_LIMITED": .tooManyRequests
                case "SIGN_ERROR": .unauthorized
                default: .internalServerError
                }
            return HTTPExchange.error(status, code: code, message: "scripted failure")
        }
        let result = try await desk.store.accept(
            SMSMessage(
                messageID: message.messageID,
                phone: message.phone,
                text: message.text,
                signName: message.signName ?? "",
                receivedAtMs: desk.now()
            ),
            account: account,
            interval: desk.configuration.limits.smsPhoneInterval
        )
        if behaviour.timeoutAfterCommit == true, result == .accepted {
            try await desk.store.count(.timeoutsAfterCommit)
            await desk.stall()
        }
        switch result {
        case .rateLimited:
            return HTTPExchange.error(
                .tooManyRequests,
                code: "RATE_LIMITED",
                message: "at most one message per second to \(message.phone)"
            )
        case .accepted, .duplicate:
            return try HTTPExchange.json(
                Accepted(messageID: message.messageID, status: "ACCEPTED", duplicate: result == .duplicate)
            )
        }
    }

    /// Base64 HMAC-SHA256 over "TIMESTAMP\nBODY", as the gateway computes it.
    static func signature(body: [UInt8], timestamp: String, secret: [UInt8]) -> String {
        var message = Array((timestamp + "\n").utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))
        return Data(mac).base64EncodedString()
    }

    static func verify(body: [UInt8], timestamp: String, signature: String, secret: [UInt8]) -> Bool {
        guard let given = Data(base64Encoded: signature) else { return false }
        var message = Array((timestamp + "\n").utf8)
        message.append(contentsOf: body)
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: SymmetricKey(data: secret))
    }

    /// Accepts Unix seconds or milliseconds within `maximumSkew` of `now` (ms).
    static func isFresh(_ timestamp: String, now: Int64, maximumSkew: Duration) -> Bool {
        guard let value = Int64(timestamp) else { return false }
        let millis = value > 100_000_000_000 ? value : value * 1000
        return abs(now - millis) <= maximumSkew.milliseconds
    }

    struct SendMessage: Codable {
        var messageID: String
        var phone: String
        var text: String
        var signName: String?

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case phone, text
            case signName = "sign_name"
        }
    }

    struct Accepted: Codable {
        var messageID: String
        var status: String
        var duplicate: Bool

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case status, duplicate
        }
    }
}
