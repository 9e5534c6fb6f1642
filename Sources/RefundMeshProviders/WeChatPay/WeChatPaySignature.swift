import Foundation
import _CryptoExtras

/// WeChat Pay API v3 signatures (SHA256withRSA, PKCS#1 v1.5, base64), both halves.
///
/// - Requests: `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` signed with the merchant key, sent as
///   `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`
///   (URL is the path with its query string; BODY is empty for GET).
/// - Responses and notifications: `TIMESTAMP\nNONCE\nBODY\n` signed with the platform key, sent as
///   `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature`, `Wechatpay-Serial`.
public enum WeChatPaySignature {
    /// The Authorization scheme.
    public static let scheme = "WECHATPAY2-SHA256-RSA2048"

    /// Response and notification header names.
    public enum Header {
        public static let timestamp = "Wechatpay-Timestamp"
        public static let nonce = "Wechatpay-Nonce"
        public static let signature = "Wechatpay-Signature"
        public static let serial = "Wechatpay-Serial"
        public static let signatureType = "Wechatpay-Signature-Type"
    }

    /// The request message `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`.
    public static func requestMessage(method: String, url: String, timestamp: Int64, nonce: String, body: Data) -> Data
    {
        var message = Data("\(method.uppercased())\n\(url)\n\(timestamp)\n\(nonce)\n".utf8)
        message.append(body)
        message.append(UInt8(ascii: "\n"))
        return message
    }

    /// The response/notification message `TIMESTAMP\nNONCE\nBODY\n`.
    public static func responseMessage(timestamp: Int64, nonce: String, body: Data) -> Data {
        var message = Data("\(timestamp)\n\(nonce)\n".utf8)
        message.append(body)
        message.append(UInt8(ascii: "\n"))
        return message
    }

    /// Builds the `Authorization` value for a request (client half).
    public static func authorization(
        method: String,
        url: String,
        body: Data,
        merchantID: String,
        serial: String,
        key: _RSA.Signing.PrivateKey,
        now: Date = Date()
    ) throws -> WeChatPayAuthorization {
        let timestamp = Int64(now.timeIntervalSince1970)
        let nonce = RandomText.hex(bytes: 16)
        let message = requestMessage(method: method, url: url, timestamp: timestamp, nonce: nonce, body: body)
        return WeChatPayAuthorization(
            merchantID: merchantID,
            nonce: nonce,
            signature: try SHA256WithRSA.sign(message, with: key),
            timestamp: timestamp,
            serial: serial
        )
    }

    /// Verifies a request's `Authorization` header (server half) and returns it parsed.
    /// - Throws: ``SignatureVerificationError``: missing/malformed header, unknown merchant or serial,
    ///   stale timestamp, or a signature that does not match.
    public static func verifyRequest(
        method: String,
        url: String,
        headers: ProviderHeaders,
        body: Data,
        merchantID: String,
        merchantSerial: String,
        merchantPublicKey: _RSA.Signing.PublicKey,
        allowedClockSkew: Duration = .seconds(300),
        now: Date = Date()
    ) throws(SignatureVerificationError) -> WeChatPayAuthorization {
        let authorization = try WeChatPayAuthorization(headerValue: try headers.requiredValue("Authorization"))
        guard authorization.merchantID == merchantID else {
            throw SignatureVerificationError(
                code: .unknownSigner,
                field: "Authorization mchid",
                message: "expected merchant \(merchantID), got \(authorization.merchantID)"
            )
        }
        guard authorization.serial == merchantSerial else {
            throw SignatureVerificationError(
                code: .unknownSigner,
                field: "Authorization serial_no",
                message: "unknown merchant certificate serial \(authorization.serial)"
            )
        }
        try ClockSkew.check(
            seconds: authorization.timestamp,
            field: "Authorization timestamp",
            now: now,
            allowed: allowedClockSkew
        )
        let message = requestMessage(
            method: method,
            url: url,
            timestamp: authorization.timestamp,
            nonce: authorization.nonce,
            body: body
        )
        try SHA256WithRSA.verify(
            authorization.signature,
            message: message,
            key: merchantPublicKey,
            field: "Authorization signature"
        )
        return authorization
    }

    /// Signed headers for a response body or a notification body (server half).
    public static func signedHeaders(
        body: Data,
        platformSerial: String,
        platformKey: _RSA.Signing.PrivateKey,
        now: Date = Date()
    ) throws -> ProviderHeaders {
        let timestamp = Int64(now.timeIntervalSince1970)
        let nonce = RandomText.hex(bytes: 16)
        let signature = try SHA256WithRSA.sign(
            responseMessage(timestamp: timestamp, nonce: nonce, body: body),
            with: platformKey
        )
        return [
            (Header.timestamp, String(timestamp)),
            (Header.nonce, nonce),
            (Header.signature, signature),
            (Header.serial, platformSerial),
            (Header.signatureType, scheme),
        ]
    }

    /// Verifies a response's or notification's platform signature (client half).
    /// - Throws: ``SignatureVerificationError`` naming the header that failed.
    public static func verifyPlatformSigned(
        headers: ProviderHeaders,
        body: Data,
        platformSerial: String,
        platformPublicKey: _RSA.Signing.PublicKey,
        allowedClockSkew: Duration = .seconds(300),
        now: Date = Date()
    ) throws(SignatureVerificationError) {
        let serial = try headers.requiredValue(Header.serial)
        guard serial == platformSerial else {
            throw SignatureVerificationError(
                code: .unknownSigner,
                field: Header.serial,
                message: "unknown platform serial \(serial), expected \(platformSerial)"
            )
        }
        let timestamp = try ClockSkew.checkUnixSeconds(
            try headers.requiredValue(Header.timestamp),
            field: Header.timestamp,
            now: now,
            allowed: allowedClockSkew
        )
        let nonce = try headers.requiredValue(Header.nonce)
        let signature = try headers.requiredValue(Header.signature)
        try SHA256WithRSA.verify(
            signature,
            message: responseMessage(timestamp: timestamp, nonce: nonce, body: body),
            key: platformPublicKey,
            field: Header.signature
        )
    }
}
