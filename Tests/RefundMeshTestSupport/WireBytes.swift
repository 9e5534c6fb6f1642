import RefundMeshWire

/// Bytes on the wire for raw-socket tests.
public enum WireBytes {
    /// A frame with its 4-byte big-endian length in front.
    public static func lengthPrefixed(_ frame: Frame) throws -> [UInt8] {
        let body = try frame.serializedBytes()
        let length = UInt32(body.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + body
    }

    /// Splits what a server sent into its preface and the whole frames that follow.
    public static func serverFrames(in bytes: [UInt8]) throws -> (preface: [UInt8], frames: [Frame]) {
        let preface = Array(bytes.prefix(RPCPreface.count))
        var offset = RPCPreface.count
        var frames: [Frame] = []
        while offset + 4 <= bytes.count {
            let length =
                Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
            guard offset + 4 + length <= bytes.count else { break }
            frames.append(try Frame(serializedBytes: Array(bytes[(offset + 4)..<(offset + 4 + length)])))
            offset += 4 + length
        }
        return (preface, frames)
    }
}
