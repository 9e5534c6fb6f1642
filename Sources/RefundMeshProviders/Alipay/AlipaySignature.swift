import Foundation
import _CryptoExtras

/// Alipay RSA2 (SHA256withRSA, PKCS#1 v1.5, base64), both halves.
///
/// - Requests: sign the canonical string of all common parameters and `biz_content` except `sign`:
///   parameters with empty values dropped, sorted by name (byte order), `name=value` joined by `&`,
///   values NOT URL-encoded (``signContent(_:excluding:)``).
/// - Responses: sign the exact JSON text of the response node (`alipay_trade_refund_response`
///   or `error_response`) as it appears in the body; the body is `{"<node>":{…},"sign":"…"}`.
/// - Asynchronous notifications: like requests, but `sign_type` is excluded as well.
public enum AlipaySignature {
    /// The canonical sign string: non-empty parameters except `excluded`, sorted, `k=v&k=v`.
    public static func signContent(_ parameters: [String: String], excluding excluded: Set<String> = ["sign"]) -> String
    {
        parameters
            .filter { !excluded.contains($0.key) && !$0.value.isEmpty }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
    }

    /// Signs a request's parameters; returns the `sign` value.
    public static func signRequest(_ parameters: [String: String], key: _RSA.Signing.PrivateKey) throws -> String {
        try SHA256WithRSA.sign(Data(signContent(parameters).utf8), with: key)
    }

    /// Verifies a request's `sign` over its other parameters (server half).
    public static func verifyRequest(
        _ parameters: [String: String],
        key: _RSA.Signing.PublicKey
    ) throws(SignatureVerificationError) {
        try verifySign(of: parameters, excluding: ["sign"], key: key, what: "request")
    }

    /// Signs a notification's parameters (all but `sign` and `sign_type`); returns the `sign` value.
    public static func signNotification(_ parameters: [String: String], key: _RSA.Signing.PrivateKey) throws -> String {
        try SHA256WithRSA.sign(Data(signContent(parameters, excluding: ["sign", "sign_type"]).utf8), with: key)
    }

    /// Verifies a notification's `sign` (client half).
    public static func verifyNotification(
        _ parameters: [String: String],
        key: _RSA.Signing.PublicKey
    ) throws(SignatureVerificationError) {
        try verifySign(of: parameters, excluding: ["sign", "sign_type"], key: key, what: "notification")
    }

    /// Verifies the `sign` parameter of a request or notification over the other parameters.
    private static func verifySign(
        of parameters: [String: String],
        excluding excluded: Set<String>,
        key: _RSA.Signing.PublicKey,
        what: String
    ) throws(SignatureVerificationError) {
        guard let sign = parameters["sign"], !sign.isEmpty else {
            throw SignatureVerificationError(
                code: .missingField,
                field: "sign",
                message: "\(what) has no sign parameter"
            )
        }
        let content = signContent(parameters, excluding: excluded)
        try SHA256WithRSA.verify(sign, message: Data(content.utf8), key: key, field: "sign")
    }

    /// Builds a signed response body `{"<node>":<nodeJSON>,"sign":"…"}` (server half).
    public static func signedResponseBody(nodeName: String, nodeJSON: Data, key: _RSA.Signing.PrivateKey) throws -> Data
    {
        let sign = try SHA256WithRSA.sign(nodeJSON, with: key)
        var body = Data("{\"\(nodeName)\":".utf8)
        body.append(nodeJSON)
        body.append(contentsOf: Data(",\"sign\":\"\(sign)\"}".utf8))
        return body
    }

    /// Finds a response node's exact JSON text and the `sign` in a response body, and verifies it
    /// (client half). Returns the node text to decode.
    /// - Parameter nodeNames: node names to look for, in order (`…_response`, then `error_response`).
    /// - Parameter requireSignature: when false an unsigned node is returned unverified (Alipay omits
    ///   `sign` on some gateway errors); the caller decides what an unsigned answer may mean.
    public static func verifiedResponseNode(
        in body: Data,
        nodeNames: [String],
        key: _RSA.Signing.PublicKey,
        requireSignature: Bool = true
    ) throws(SignatureVerificationError) -> (name: String, json: Data, signed: Bool) {
        let members = try TopLevelJSONMembers.scan(body)
        guard let (name, range) = nodeNames.lazy.compactMap({ name in members[name].map { (name, $0) } }).first else {
            throw SignatureVerificationError(
                code: .missingField,
                field: nodeNames.first ?? "response",
                message: "response has none of \(nodeNames.joined(separator: ", "))"
            )
        }
        let node = body.subdata(in: range)
        guard let signRange = members["sign"] else {
            if requireSignature {
                throw SignatureVerificationError(code: .missingField, field: "sign", message: "response has no sign")
            }
            return (name, node, false)
        }
        guard let sign = try? JSONDecoder().decode(String.self, from: body.subdata(in: signRange)) else {
            throw SignatureVerificationError(code: .malformedField, field: "sign", message: "sign is not a string")
        }
        try SHA256WithRSA.verify(sign, message: node, key: key, field: "sign")
        return (name, node, true)
    }

    /// The response node name of an API method: `alipay.trade.refund` → `alipay_trade_refund_response`.
    public static func responseNodeName(method: String) -> String {
        method.replacingOccurrences(of: ".", with: "_") + "_response"
    }
}

/// Byte ranges of the members of a top-level JSON object, found without re-serialising anything,
/// so a signature over a member's exact text can be checked.
enum TopLevelJSONMembers {
    static func scan(_ data: Data) throws(SignatureVerificationError) -> [String: Range<Data.Index>] {
        let bytes = [UInt8](data)
        let base = data.startIndex
        var index = 0
        var members: [String: Range<Data.Index>] = [:]
        func fail(_ why: String) -> SignatureVerificationError {
            SignatureVerificationError(
                code: .malformedField,
                field: "response",
                message: "response is not a JSON object: \(why)"
            )
        }
        func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        func skipString() throws(SignatureVerificationError) {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""):
                    index += 1
                    return
                default: index += 1
                }
            }
            throw fail("unterminated string")
        }
        func skipValue() throws(SignatureVerificationError) {
            guard index < bytes.count else { throw fail("value expected") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "\""):
                        try skipString()
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            return
                        }
                    default:
                        break
                    }
                    index += 1
                }
                throw fail("unbalanced value")
            default:  // number, true, false, null
                while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}") {
                    index += 1
                }
            }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail("no opening brace") }
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return members }
        while true {
            skipSpace()
            let keyStart = index
            try skipString()
            guard let key = try? JSONDecoder().decode(String.self, from: Data(bytes[keyStart..<index])) else {
                throw fail("bad member name")
            }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipSpace()
            let valueStart = index
            try skipValue()
            var valueEnd = index
            while valueEnd > valueStart, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[valueEnd - 1]) { valueEnd -= 1 }
            members[key] = (base + valueStart)..<(base + valueEnd)
            skipSpace()
            guard index < bytes.count else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: "}") { return members }
            guard bytes[index] == UInt8(ascii: ",") else { throw fail("expected ','") }
            index += 1
        }
    }
}
