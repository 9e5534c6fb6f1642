import Foundation

/// The provider side of an HMAC-signed wire (``BankCardServer``, ``GameOperatorServer``), for the
/// provider sandbox: verifies merchant requests and signs answers with the same
/// ``HMACAuthenticator`` the client uses, so the two halves cannot disagree.
public protocol HMACProviderServer: Sendable {
    /// The party's header names, identity and shared key.
    var authenticator: HMACAuthenticator { get }
}

extension HMACProviderServer {
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

    /// Signed headers for an answer body (JSON or, for the bank, the settlement CSV).
    public func signedResponseHeaders(body: Data, now: Date = Date()) -> ProviderHeaders {
        authenticator.messageHeaders(body: body, now: now)
    }

    /// A JSON answer (a provider message or ``ProviderErrorBody``) and its signed headers.
    public func signedResponse<T: Encodable>(
        _ value: T,
        now: Date = Date()
    ) throws -> (headers: ProviderHeaders, body: Data) {
        let body = try WireJSON.encode(value)
        return (signedResponseHeaders(body: body, now: now) + [("Content-Type", "application/json")], body)
    }
}
