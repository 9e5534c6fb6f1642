import Crypto
import Foundation

/// The game operator side of the wire, for the provider sandbox.
public struct GameOperatorServer: Sendable {
    public var authenticator: HMACAuthenticator

    public init(clientID: String, hmacKey: SecretKey, allowedClockSkew: Duration = .seconds(300)) {
        self.authenticator = HMACAuthenticator(
            headerNames: .gameOperator,
            identity: clientID,
            key: hmacKey,
            allowedClockSkew: allowedClockSkew
        )
    }

    /// The sandbox's view of a key set.
    public init(
        keySet: ProviderKeySet,
        clientID: String = ProviderKeySet.DevelopmentIdentity.operatorClientID,
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.init(
            clientID: clientID,
            hmacKey: SecretKey(text: keySet.operatorHMACKey),
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

    /// A JSON answer (``OperatorRecharge`` or ``ProviderErrorBody``) and its signed headers.
    public func signedResponse<T: Encodable>(
        _ value: T,
        now: Date = Date()
    ) throws -> (headers: ProviderHeaders, body: Data) {
        let body = try WireJSON.encode(value)
        return (authenticator.messageHeaders(body: body, now: now) + [("Content-Type", "application/json")], body)
    }
}
