import Foundation
import _CryptoExtras

/// The Alipay side of the wire, for the provider sandbox: verifies app requests and signs answers
/// and notifications with Alipay's key — the same code the client uses.
public struct AlipayServer: Sendable {
    public var appID: String
    public var appPublicKey: _RSA.Signing.PublicKey
    public var alipayPrivateKey: _RSA.Signing.PrivateKey
    public var allowedClockSkew: Duration

    public init(
        appID: String,
        appPublicKey: _RSA.Signing.PublicKey,
        alipayPrivateKey: _RSA.Signing.PrivateKey,
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.appID = appID
        self.appPublicKey = appPublicKey
        self.alipayPrivateKey = alipayPrivateKey
        self.allowedClockSkew = allowedClockSkew
    }

    /// The sandbox's view of a key set (app id defaults to the development one).
    public init(
        keySet: ProviderKeySet,
        appID: String = ProviderKeySet.DevelopmentIdentity.alipayAppID,
        allowedClockSkew: Duration = .seconds(300)
    ) {
        self.init(
            appID: appID,
            appPublicKey: keySet.alipayAppKey.publicKey,
            alipayPrivateKey: keySet.alipayKey,
            allowedClockSkew: allowedClockSkew
        )
    }

    /// A verified gateway request.
    public struct Request: Sendable {
        /// Every parameter as received.
        public var parameters: [String: String]
        /// `method`, e.g. ``AlipayMethod/tradeRefund``.
        public var method: String
        /// The `biz_content` JSON text.
        public var bizContent: Data

        /// Decodes `biz_content` (e.g. as ``AlipayRefundRequest``; yuan amounts are checked exactly).
        public func decodeBizContent<T: Decodable>(_ type: T.Type) throws -> T {
            try WireJSON.decode(type, from: bizContent)
        }
    }

    /// Verifies a form-encoded gateway request body: parameters, app id, RSA2, timestamp skew.
    /// - Throws: ``SignatureVerificationError``; answer it with code 40002 `isv.invalid-signature`.
    public func verifyRequest(body: Data, now: Date = Date()) throws(SignatureVerificationError) -> Request {
        guard let pairs = FormEncoding.decode(String(decoding: body, as: UTF8.self)) else {
            throw SignatureVerificationError(code: .malformedField, field: "body", message: "body is not form-encoded")
        }
        let parameters = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        func field(_ name: String) throws(SignatureVerificationError) -> String {
            guard let value = parameters[name], !value.isEmpty else {
                throw SignatureVerificationError(code: .missingField, field: name, message: "request has no \(name)")
            }
            return value
        }
        let app = try field("app_id")
        guard app == appID else {
            throw SignatureVerificationError(code: .unknownSigner, field: "app_id", message: "unknown app \(app)")
        }
        guard try field("sign_type") == "RSA2" else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: "sign_type",
                message: "only RSA2 is accepted"
            )
        }
        let timestamp = try field("timestamp")
        guard let seconds = ChinaTime.parseAlipayTimestamp(timestamp) else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: "timestamp",
                message: "\"\(timestamp)\" is not yyyy-MM-dd HH:mm:ss"
            )
        }
        try ClockSkew.check(seconds: seconds, field: "timestamp", now: now, allowed: allowedClockSkew)
        try AlipaySignature.verifyRequest(parameters, key: appPublicKey)
        return Request(
            parameters: parameters,
            method: try field("method"),
            bizContent: Data(try field("biz_content").utf8)
        )
    }

    /// A signed answer body for `method`: `{"<method>_response":<node>,"sign":"…"}` (Content-Type
    /// `application/json;charset=utf-8`).
    public func signedResponse<Node: Encodable>(method: String, node: Node) throws -> Data {
        try AlipaySignature.signedResponseBody(
            nodeName: AlipaySignature.responseNodeName(method: method),
            nodeJSON: try WireJSON.encode(node),
            key: alipayPrivateKey
        )
    }

    /// A signed failure answer (e.g. code 40004, sub_code ACQ.SYSTEM_ERROR) for `method`.
    public func signedError(method: String, code: String, msg: String, subCode: String?, subMsg: String?) throws -> Data
    {
        try signedResponse(
            method: method,
            node: AlipayResponseStatus(code: code, msg: msg, subCode: subCode, subMsg: subMsg)
        )
    }

    /// A signed asynchronous notification as a form body (Content-Type
    /// `application/x-www-form-urlencoded;charset=utf-8`). `app_id`, `charset`, `version`,
    /// `sign_type`, `notify_type` (trade_status_sync) and `notify_time` are filled in when absent.
    /// - Parameter parameters: e.g. `notify_id`, `trade_no`, `out_trade_no`, `out_biz_no`,
    ///   `trade_status`, `refund_fee` (yuan, ``YuanAmount/yuanString(fen:)``), `gmt_refund`.
    public func notification(parameters: [String: String], now: Date = Date()) throws -> Data {
        var parameters = parameters
        let defaults = [
            "app_id": appID, "charset": "utf-8", "version": "1.0", "sign_type": "RSA2",
            "notify_type": "trade_status_sync",
            "notify_time": ChinaTime.alipayTimestamp(unixSeconds: Int64(now.timeIntervalSince1970)),
            "notify_id": UUID().uuidString,
        ]
        for (name, value) in defaults where parameters[name] == nil { parameters[name] = value }
        parameters["sign"] = try AlipaySignature.signNotification(parameters, key: alipayPrivateKey)
        return Data(FormEncoding.encode(parameters.sorted { $0.key < $1.key }).utf8)
    }

    /// Alipay's times: "yyyy-MM-dd HH:mm:ss" in UTC+8.
    public static func timeString(_ date: Date) -> String {
        ChinaTime.alipayTimestamp(unixSeconds: Int64(date.timeIntervalSince1970))
    }
}
