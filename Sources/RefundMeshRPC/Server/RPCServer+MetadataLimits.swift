import RefundMeshWire

extension RPCServer.Limits {
    /// Why a call's metadata is refused, with the limit it broke (for the log's `rpc.limit`).
    struct MetadataViolation {
        let error: RPCError
        let limit: String
    }

    /// Checks a CALL frame's metadata against ``maxMetadataEntries``, ``maxMetadataBytes`` and
    /// the key rules; nil when it may be served.
    ///
    /// Keys are lower-case ASCII letters, digits, `-`, `_` and `.` (as in gRPC), so headers cannot
    /// smuggle spaces or line breaks into logs or collide by case. Values are not refused for
    /// their content: the ones the runtime logs (`x-request-id`, `x-trace-id`) are replaced when
    /// unusable (``RequestID/validated(_:)``, `TraceID.validated`).
    func violation(inMetadata entries: [MetadataEntry]) -> MetadataViolation? {
        guard entries.count <= maxMetadataEntries else {
            return MetadataViolation(
                error: RPCError(
                    code: .resourceExhausted,
                    message:
                        "the call carries \(entries.count) metadata entries; this server accepts at most \(maxMetadataEntries)"
                ),
                limit: "maxMetadataEntries"
            )
        }
        var total = 0
        for entry in entries {
            total += entry.key.utf8.count + entry.value.utf8.count + entry.binaryValue.count
            guard !entry.key.isEmpty, entry.key.utf8.allSatisfy(Self.isKeyByte) else {
                return MetadataViolation(
                    error: RPCError(
                        code: .invalidArgument,
                        message:
                            "metadata key \(Self.quoted(entry.key)) is not valid: keys are lower-case ASCII letters, digits, '-', '_' and '.'"
                    ),
                    limit: "metadataKeyRules"
                )
            }
        }
        guard total <= maxMetadataBytes else {
            return MetadataViolation(
                error: RPCError(
                    code: .resourceExhausted,
                    message:
                        "the call carries \(total) bytes of metadata; this server accepts at most \(maxMetadataBytes)"
                ),
                limit: "maxMetadataBytes"
            )
        }
        return nil
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// A string from the peer, fit for one log line: control characters replaced, cut to 128.
    static func loggable(_ text: String) -> String {
        let cut = text.unicodeScalars.prefix(128).map { isControl($0) ? "?" : String($0) }.joined()
        return text.unicodeScalars.count > 128 ? cut + "…" : cut
    }

    /// A key for an error message: quoted, cut to 64 characters, escaped so it is one line.
    private static func quoted(_ key: String) -> String {
        let cut = key.count > 64 ? String(key.prefix(64)) + "…" : key
        return "\"" + cut.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
    }
}
