import NIOCore

/// Splits a byte stream into frames: first the peer's ``RPCPreface``, then frames of a 4-byte
/// big-endian length followed by that many bytes of an encoded ``Frame``.
///
/// A declared length over ``maxFrameBytes`` is refused as soon as its 4 bytes arrive, before any
/// of the frame is buffered. Every failure is a ``WireError`` naming what was wrong.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = Frame

    /// The largest frame body accepted (default 4 MiB).
    public let maxFrameBytes: Int
    private var awaitingPreface: Bool

    /// - Parameters:
    ///   - maxFrameBytes: the largest frame body accepted.
    ///   - expectPreface: whether the stream starts with the peer's preface (true on both sides
    ///     of a real connection; false to decode bare frames).
    public init(maxFrameBytes: Int = 4 * 1024 * 1024, expectPreface: Bool = true) {
        self.maxFrameBytes = maxFrameBytes
        self.awaitingPreface = expectPreface
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        if awaitingPreface {
            guard try Self.readPreface(from: &buffer) else { return nil }
            awaitingPreface = false
        }
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length <= maxFrameBytes else {
            throw WireError(
                code: .frameTooLarge,
                message: "frame of \(length) bytes is over this connection's limit of \(maxFrameBytes) bytes"
            )
        }
        let total = 4 + Int(length)
        guard buffer.readableBytes >= total else { return nil }
        let frame = try buffer.withUnsafeReadableBytes { raw in
            try Frame(serializedBytes: UnsafeRawBufferPointer(rebasing: raw[4..<total]))
        }
        buffer.moveReaderIndex(forwardBy: total)
        return frame
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        try decode(buffer: &buffer)
    }

    /// Consumes the preface when all of it is there; fails on the first byte that differs, so a
    /// stray client is refused without waiting for eight bytes.
    static func readPreface(from buffer: inout ByteBuffer) throws -> Bool {
        let available = min(buffer.readableBytes, RPCPreface.count)
        let seen = buffer.getBytes(at: buffer.readerIndex, length: available) ?? []
        for (index, byte) in seen.enumerated() where index < RPCPreface.magic.count {
            if index == 0, byte == 0x16 || byte == 0x15 {
                // A TLS handshake (0x16) or alert (0x15) record: one side has TLS on, the other off.
                throw WireError(
                    code: .badPreface,
                    message: "the peer sent a TLS record (first byte 0x\(String(byte, radix: 16))) where the "
                        + "RefundMesh RPC preface belongs: TLS is on at one end of this connection and off at "
                        + "the other; see docs/PROTOCOL.md, \"TLS\""
                )
            }
            if byte != RPCPreface.magic[index] {
                throw WireError(
                    code: .badPreface,
                    message: "the peer did not send the RefundMesh RPC preface (\"RMRPC\\r\\n\" + version); "
                        + "this port speaks RefundMesh RPC, see docs/PROTOCOL.md"
                )
            }
        }
        guard available == RPCPreface.count else { return false }
        let version = seen[RPCPreface.magic.count]
        guard version == RPCPreface.version else {
            throw WireError(
                code: .unsupportedVersion,
                message:
                    "the peer speaks RefundMesh RPC version \(version); this side speaks version \(RPCPreface.version)"
            )
        }
        buffer.moveReaderIndex(forwardBy: RPCPreface.count)
        return true
    }
}
