import Crypto
import Foundation

/// How webhook receivers know an event came from RefundMesh and is fresh (R-N2), in the manner of
/// Stripe's and GitHub's webhooks: an HMAC-SHA256, keyed with the endpoint's secret, over
/// `"<timestamp>.<body>"`, sent as `RefundMesh-Signature: v1=<hex>` beside
/// `RefundMesh-Timestamp: <Unix seconds>` and `RefundMesh-Event-Id: <event id>` (the id to drop
/// repeats by). docs/NOTIFICATIONS.md shows the receiver's side.
public enum WebhookSignature {
    /// The header names.
    public static let eventIDHeader = "RefundMesh-Event-Id"
    public static let timestampHeader = "RefundMesh-Timestamp"
    public static let signatureHeader = "RefundMesh-Signature"
    public static let attemptHeader = "RefundMesh-Delivery-Attempt"

    /// The lowercase hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
    public static func signature(secret: String, timestamp: Int64, body: some DataProtocol) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        mac.update(data: Data("\(timestamp).".utf8))
        mac.update(data: body)
        return mac.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The `RefundMesh-Signature` header's value: `v1=<hex>`.
    public static func header(secret: String, timestamp: Int64, body: some DataProtocol) -> String {
        "v1=" + signature(secret: secret, timestamp: timestamp, body: body)
    }

    /// Whether `header` (one or more comma-separated `v1=<hex>`, as during a secret rotation)
    /// signs `body` at `timestamp` under `secret`, and `timestamp` is within `tolerance` seconds of
    /// `now` (so a captured request cannot be replayed later). Compares in constant time.
    public static func isValid(
        header: String,
        secret: String,
        timestamp: Int64,
        body: some DataProtocol,
        now: Int64,
        tolerance: Int64 = 300
    ) -> Bool {
        guard abs(now - timestamp) <= tolerance else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        var signed = Data("\(timestamp).".utf8)
        signed.append(contentsOf: body)
        for part in header.split(separator: ",") {
            let entry = part.trimmingCharacters(in: .whitespaces)
            guard entry.hasPrefix("v1="), let mac = Data(hex: entry.dropFirst(3)) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: key) { return true }
        }
        return false
    }
}

extension Data {
    /// Bytes from an even number of hex digits; nil for anything else.
    init?(hex: Substring) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
