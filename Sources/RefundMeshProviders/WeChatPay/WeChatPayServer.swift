import Crypto
import Foundation
import _CryptoExtras

/// The WeChat Pay side of the wire, for the provider sandbox: verifies merchant requests, signs
/// answers with the platform key, and builds encrypted + signed notifications — with the same code
/// the client uses, so the two cannot disagree.
public struct WeChatPayServer: Sendable {
    public var merchantID: String
    public var merchantSerial: String
    public var merchantPublicKey: _RSA.Signing.PublicKey
    public var platformSerial: String
    public var platformPrivateKey: _RSA.Signing.PrivateKey
    public var apiV3Key: SecretKey
    public var allowedClockSkew: Duration

    public init(
        merchantID: String,
        merchantSerial: String,
        merchantPublicKey: _RSA.Signing.PublicKey,
        platformSerial: String,
        platformPrivateKey: _RSA.Signing.PrivateKey,
        apiV3Key: SecretKey,
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.merchantID = merchantID
        self.merchantSerial = merchantSerial
        self.merchantPublicKey = merchantPublicKey
        self.platformSerial = platformSerial
        self.platformPrivateKey = platformPrivateKey
        self.apiV3Key = apiV3Key
        self.allowedClockSkew = allowedClockSkew
    }

    /// The sandbox's view of a key set (merchant id defaults to the development one).
    public init(
        keySet: ProviderKeySet,
        merchantID: String = ProviderKeySet.DevelopmentIdentity.weChatPayMerchantID,
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.init(
            merchantID: merchantID,
            merchantSerial: keySet.weChatPayMerchantSerial,
            merchantPublicKey: keySet.weChatPayMerchantKey.publicKey,
            platformSerial: keySet.weChatPayPlatformSerial,
            platformPrivateKey: keySet.weChatPayPlatformKey,
            apiV3Key: SecretKey(text: keySet.weChatPayAPIv3Key),
            allowedClockSkew: allowedClockSkew
        )
    }

    /// Verifies a merchant request.
    /// - Parameters:
    ///   - method: the HTTP method ("POST", "GET").
    ///   - target: the request target as received: path plus `?query` if any.
    /// - Throws: ``SignatureVerificationError``; answer it with 401 `SIGN_ERROR` (``errorBody(code:message:)``).
    public func verifyRequest(
        method: String,
        target: String,
        headers: ProviderHeaders,
        body: Data,
        now: Date = Date()
    ) throws(SignatureVerificationError) -> WeChatPayAuthorization {
        try WeChatPaySignature.verifyRequest(
            method: method,
            url: target,
            headers: headers,
            body: body,
            merchantID: merchantID,
            merchantSerial: merchantSerial,
            merchantPublicKey: merchantPublicKey,
            allowedClockSkew: allowedClockSkew,
            now: now
        )
    }

    /// Platform-signed headers for an answer body (success or error).
    public func signedResponseHeaders(body: Data, now: Date = Date()) throws -> ProviderHeaders {
        try WeChatPaySignature.signedHeaders(
            body: body,
            platformSerial: platformSerial,
            platformKey: platformPrivateKey,
            now: now
        )
            + [("Content-Type", "application/json")]
    }

    /// A JSON answer body and its signed headers.
    public func signedResponse<T: Encodable>(
        _ value: T,
        now: Date = Date()
    ) throws -> (headers: ProviderHeaders, body: Data) {
        let body = try WireJSON.encode(value)
        return (try signedResponseHeaders(body: body, now: now), body)
    }

    /// An error body `{"code","message"}` (sign it with ``signedResponseHeaders(body:now:)``).
    public func errorBody(code: String, message: String) -> Data {
        (try? WireJSON.encode(WeChatPayErrorBody(code: code, message: message))) ?? Data()
    }

    /// A refund notification: the notice encrypted under the APIv3 key, wrapped in the envelope,
    /// and signed with the platform key. POST `body` with `headers` to the merchant's notify URL.
    /// - Parameters:
    ///   - eventType: ``WeChatPayNotification/EventType`` (`REFUND.SUCCESS` …).
    ///   - id: the notification id; the same id on a resend (R-C9 duplicates).
    public func notification(
        eventType: String,
        notice: WeChatPayRefundNotice,
        id: String = UUID().uuidString,
        now: Date = Date()
    ) throws -> (headers: ProviderHeaders, body: Data) {
        let resource = try WeChatPayNotificationCrypto.encrypt(
            try WireJSON.encode(notice),
            associatedData: "refund",
            key: apiV3Key
        )
        let envelope = WeChatPayNotification(
            id: id,
            createTime: ChinaTime.rfc3339(unixSeconds: Int64(now.timeIntervalSince1970)),
            eventType: eventType,
            summary: summary(for: eventType),
            resource: resource
        )
        let body = try WireJSON.encode(envelope)
        return (try signedResponseHeaders(body: body, now: now), body)
    }

    /// WeChat's times: RFC 3339 in UTC+8 (`2026-11-25T10:00:00+08:00`).
    public static func timeString(_ date: Date) -> String {
        ChinaTime.rfc3339(unixSeconds: Int64(date.timeIntervalSince1970))
    }

    private func summary(for eventType: String) -> String {
        switch eventType {
        case WeChatPayNotification.EventType.refundSuccess: return "退款成功"
        case WeChatPayNotification.EventType.refundAbnormal: return "退款异常"
        case WeChatPayNotification.EventType.refundClosed: return "退款关闭"
        default: return eventType
        }
    }
}
