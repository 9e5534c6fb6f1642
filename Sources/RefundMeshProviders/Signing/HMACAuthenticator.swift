import Crypto
import Foundation

/// HMAC-SHA256 request/response/notification signing shared by the bank (`X-Bank-*`) and the game
/// operator (`X-Operator-*`) — both halves, so a client and the sandbox can never disagree.
///
/// Headers: `<identity header>` (the merchant or client id), `<prefix>-Timestamp` (Unix seconds),
/// `<prefix>-Nonce` (32 random hex characters), `<prefix>-Signature` (base64 HMAC-SHA256).
/// Signed strings (see docs/PROVIDERS.md):
/// - requests: `METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY` — method and path (with query) are covered
///   so a captured signature of a bodiless GET cannot be replayed against another resource;
/// - responses and notifications: `TIMESTAMP\nNONCE\nBODY` (the receiver may sit behind a proxy
///   that rewrites its path, as WeChat Pay's notification signature also leaves the URL out).
public struct HMACAuthenticator: Sendable {
    /// The header names of one party.
    public struct HeaderNames: Sendable, Hashable {
        public var identity: String
        public var timestamp: String
        public var nonce: String
        public var signature: String

        /// The bank's `X-Bank-Merchant`, `X-Bank-Timestamp`, `X-Bank-Nonce`, `X-Bank-Signature`.
        public static let bank = HeaderNames(
            identity: "X-Bank-Merchant",
            timestamp: "X-Bank-Timestamp",
            nonce: "X-Bank-Nonce",
            signature: "X-Bank-Signature"
        )
        /// The game operator's `X-Operator-Client`, `X-Operator-Timestamp`, `-Nonce`, `-Signature`.
        public static let gameOperator = HeaderNames(
            identity: "X-Operator-Client",
            timestamp: "X-Operator-Timestamp",
            nonce: "X-Operator-Nonce",
            signature: "X-Operator-Signature"
        )
    }

    /// The header names used.
    public var headerNames: HeaderNames
    /// The merchant or client id sent in and expected from the identity header.
    public var identity: String
    /// The shared key.
    public var key: SecretKey
    /// Accepted timestamp skew (replay protection), default 5 minutes.
    public var allowedClockSkew: Duration

    public init(headerNames: HeaderNames, identity: String, key: SecretKey, allowedClockSkew: Duration = .seconds(300))
    {
        self.headerNames = headerNames
        self.identity = identity
        self.key = key
        self.allowedClockSkew = allowedClockSkew
    }

    /// `METHOD\nPATH\nTIMESTAMP\nNONCE\nBODY`.
    public static func requestMessage(method: String, path: String, timestamp: Int64, nonce: String, body: Data) -> Data
    {
        var message = Data("\(method.uppercased())\n\(path)\n\(timestamp)\n\(nonce)\n".utf8)
        message.append(body)
        return message
    }

    /// `TIMESTAMP\nNONCE\nBODY`.
    public static func message(timestamp: Int64, nonce: String, body: Data) -> Data {
        var message = Data("\(timestamp)\n\(nonce)\n".utf8)
        message.append(body)
        return message
    }

    /// Base64 HMAC-SHA256 of `message`.
    public func signature(for message: Data) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: message, using: key.symmetricKey)).base64EncodedString()
    }

    /// Headers for a request (client half).
    public func requestHeaders(method: String, path: String, body: Data, now: Date = Date()) -> ProviderHeaders {
        let timestamp = Int64(now.timeIntervalSince1970)
        let nonce = RandomText.hex(bytes: 16)
        let message = Self.requestMessage(method: method, path: path, timestamp: timestamp, nonce: nonce, body: body)
        return headers(timestamp: timestamp, nonce: nonce, signature: signature(for: message))
    }

    /// Headers for a response or a notification (server half).
    public func messageHeaders(body: Data, now: Date = Date()) -> ProviderHeaders {
        let timestamp = Int64(now.timeIntervalSince1970)
        let nonce = RandomText.hex(bytes: 16)
        return headers(
            timestamp: timestamp,
            nonce: nonce,
            signature: signature(for: Self.message(timestamp: timestamp, nonce: nonce, body: body))
        )
    }

    /// Verifies a request's headers (server half).
    /// - Throws: ``SignatureVerificationError`` naming the header that failed.
    public func verifyRequest(
        method: String,
        path: String,
        headers: ProviderHeaders,
        body: Data,
        now: Date = Date()
    ) throws(SignatureVerificationError) {
        let (timestamp, nonce, signature) = try checkedFields(headers: headers, now: now)
        let message = Self.requestMessage(method: method, path: path, timestamp: timestamp, nonce: nonce, body: body)
        try verify(signature, message: message)
    }

    /// Verifies a response's or notification's headers (client half).
    /// - Throws: ``SignatureVerificationError`` naming the header that failed.
    public func verifyMessage(
        headers: ProviderHeaders,
        body: Data,
        now: Date = Date()
    ) throws(SignatureVerificationError) {
        let (timestamp, nonce, signature) = try checkedFields(headers: headers, now: now)
        try verify(signature, message: Self.message(timestamp: timestamp, nonce: nonce, body: body))
    }

    private func headers(timestamp: Int64, nonce: String, signature: String) -> ProviderHeaders {
        [
            (headerNames.identity, identity),
            (headerNames.timestamp, String(timestamp)),
            (headerNames.nonce, nonce),
            (headerNames.signature, signature),
        ]
    }

    private func checkedFields(
        headers: ProviderHeaders,
        now: Date
    ) throws(SignatureVerificationError) -> (Int64, String, String) {
        let sender = try headers.requiredValue(headerNames.identity)
        guard sender == identity else {
            throw SignatureVerificationError(
                code: .unknownSigner,
                field: headerNames.identity,
                message: "expected \"\(identity)\", got \"\(sender)\""
            )
        }
        let timestamp = try ClockSkew.checkUnixSeconds(
            try headers.requiredValue(headerNames.timestamp),
            field: headerNames.timestamp,
            now: now,
            allowed: allowedClockSkew
        )
        let nonce = try headers.requiredValue(headerNames.nonce)
        let signature = try headers.requiredValue(headerNames.signature)
        return (timestamp, nonce, signature)
    }

    private func verify(_ base64: String, message: Data) throws(SignatureVerificationError) {
        guard let code = Data(base64Encoded: base64) else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: headerNames.signature,
                message: "signature is not base64"
            )
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key.symmetricKey) else {
            throw SignatureVerificationError(
                code: .signatureMismatch,
                field: headerNames.signature,
                message: "HMAC-SHA256 does not match the message under the shared key"
            )
        }
    }
}
