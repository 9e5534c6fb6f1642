import Crypto
import Foundation

/// The bank side of the wire, for the provider sandbox: verifies merchant requests, signs answers
/// and builds signed notifications — the same ``HMACAuthenticator`` the client uses.
public struct BankCardServer: Sendable {
    public var authenticator: HMACAuthenticator

    public init(merchantID: String, hmacKey: SecretKey, allowedClockSkew: Duration = .seconds(300)) {
        self.authenticator = HMACAuthenticator(
            headerNames: .bank,
            identity: merchantID,
            key: hmacKey,
            allowedClockSkew: allowedClockSkew
        )
    }

    /// The sandbox's view of a key set.
    public init(
        keySet: ProviderKeySet,
        merchantID: String = ProviderKeySet.DevelopmentIdentity.bankMerchantID,
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.init(
            merchantID: merchantID,
            hmacKey: SecretKey(text: keySet.bankHMACKey),
            allowedClockSkew: allowedClockSkew
        )
    }

    /// Verifies a request; `target` is the path with its query as received.
    /// - Throws: ``SignatureVerificationError``; answer 401 `SIGN_ERROR`.
    public func verifyRequest(
        method: String,
        target: String,
        headers: ProviderHeaders,
        body: Data,
        now: Date = Date()
    ) throws(SignatureVerificationError) {
        try authenticator.verifyRequest(method: method, path: target, headers: headers, body: body, now: now)
    }

    /// Signed headers for an answer body (JSON or the settlement CSV).
    public func signedResponseHeaders(body: Data, now: Date = Date()) -> ProviderHeaders {
        authenticator.messageHeaders(body: body, now: now)
    }

    /// A JSON answer and its signed headers.
    public func signedResponse<T: Encodable>(
        _ value: T,
        now: Date = Date()
    ) throws -> (headers: ProviderHeaders, body: Data) {
        let body = try WireJSON.encode(value)
        return (signedResponseHeaders(body: body, now: now) + [("Content-Type", "application/json")], body)
    }

    /// A signed error answer `{"code","message"}`.
    public func signedError(
        code: String,
        message: String,
        now: Date = Date()
    ) throws -> (headers: ProviderHeaders, body: Data) {
        try signedResponse(ProviderErrorBody(code: code, message: message), now: now)
    }

    /// A signed notification to POST to the merchant's notify URL.
    public func notification(
        _ notification: BankRefundNotification,
        now: Date = Date()
    ) throws -> (headers: ProviderHeaders, body: Data) {
        try signedResponse(notification, now: now)
    }
}
