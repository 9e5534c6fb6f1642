import Foundation

/// The parts of a WeChat Pay v3 `Authorization` header.
public struct WeChatPayAuthorization: Sendable, Hashable {
    public var merchantID: String
    public var nonce: String
    public var signature: String
    public var timestamp: Int64
    public var serial: String

    public init(merchantID: String, nonce: String, signature: String, timestamp: Int64, serial: String) {
        self.merchantID = merchantID
        self.nonce = nonce
        self.signature = signature
        self.timestamp = timestamp
        self.serial = serial
    }

    /// `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`.
    public var headerValue: String {
        "\(WeChatPaySignature.scheme) mchid=\"\(merchantID)\",nonce_str=\"\(nonce)\",signature=\"\(signature)\","
            + "timestamp=\"\(timestamp)\",serial_no=\"\(serial)\""
    }

    /// Parses an `Authorization` value.
    /// - Throws: ``SignatureVerificationError`` (`malformedField`/`missingField`) naming what is wrong.
    public init(headerValue: String) throws(SignatureVerificationError) {
        let prefix = WeChatPaySignature.scheme + " "
        guard headerValue.hasPrefix(prefix) else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: "Authorization",
                message: "scheme is not \(WeChatPaySignature.scheme)"
            )
        }
        var fields: [String: String] = [:]
        for part in headerValue.dropFirst(prefix.count).split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            guard pieces.count == 2 else {
                throw SignatureVerificationError(
                    code: .malformedField,
                    field: "Authorization",
                    message: "\"\(part)\" is not key=\"value\""
                )
            }
            let key = pieces[0].trimmingCharacters(in: .whitespaces)
            var value = Substring(pieces[1])
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
                value = value.dropFirst().dropLast()
            }
            fields[key] = String(value)
        }
        func field(_ name: String) throws(SignatureVerificationError) -> String {
            guard let value = fields[name], !value.isEmpty else {
                throw SignatureVerificationError(
                    code: .missingField,
                    field: "Authorization \(name)",
                    message: "Authorization has no \(name)"
                )
            }
            return value
        }
        let timestampText = try field("timestamp")
        guard let timestamp = Int64(timestampText) else {
            throw SignatureVerificationError(
                code: .malformedField,
                field: "Authorization timestamp",
                message: "\"\(timestampText)\" is not Unix seconds"
            )
        }
        self.init(
            merchantID: try field("mchid"),
            nonce: try field("nonce_str"),
            signature: try field("signature"),
            timestamp: timestamp,
            serial: try field("serial_no")
        )
    }
}
