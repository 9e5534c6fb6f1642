/// The refund number sent to a provider (WeChat Pay's `out_refund_no`, Alipay's
/// `out_request_no`), derived from the refund id alone.
///
/// R-C6: the number is fixed when the refund payment is first stored and reused on every retry,
/// so a provider that already has it answers with the refund it knows instead of paying again.
/// Deriving it from the refund id (no clock, no random part) means even a process that lost
/// everything but the refund id would send the same number.
public enum ProviderRefundNumber {
    /// The providers' common alphabet and length: WeChat Pay allows 64 characters of
    /// `0-9a-zA-Z_-|*@`, Alipay 64 of letters, digits and underscores; we stay inside both
    /// apart from `-`, which both accept in practice.
    static let maximumLength = 64

    /// `RM-<refund id>` when the id is short and plain; otherwise `RMX` and a 128-bit FNV-1a
    /// digest of the id in hex (two 64-bit hashes with different offsets).
    public static func make(refundID: String) -> String {
        let plain = refundID.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
        if plain, !refundID.isEmpty, refundID.utf8.count <= maximumLength - 3 {
            return "RM-" + refundID
        }
        let first = fnv1a(refundID, offset: 0xcbf2_9ce4_8422_2325)
        let second = fnv1a(refundID, offset: 0x6c62_272e_07bb_0142)
        return "RMX" + hex(first) + hex(second)
    }

    private static func fnv1a(_ text: String, offset: UInt64) -> UInt64 {
        var hash = offset
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
