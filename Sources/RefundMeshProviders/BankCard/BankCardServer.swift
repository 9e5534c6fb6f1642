import Crypto
import Foundation

/// The bank side of the wire, for the provider sandbox: verifies merchant requests, signs answers
/// (``HMACProviderServer``) and builds signed notifications — the same ``HMACAuthenticator`` the
/// client uses.
public struct BankCardServer: HMACProviderServer {
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
