import NIOCore

extension Frame {
    /// Appends the frame as it travels: a 4-byte big-endian length, then the encoded frame.
    /// - Throws: ``WireError`` with ``WireError/Code-swift.struct/frameTooLarge`` when the encoded
    ///   frame is over `maxFrameBytes` (nothing is left in `buffer` then).
    public func encodeLengthPrefixed(into buffer: inout ByteBuffer, maxFrameBytes: Int) throws {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        let written: Int
        do {
            written = try serialize(into: &buffer)
        } catch {
            buffer.moveWriterIndex(to: lengthIndex)
            throw error
        }
        guard written <= maxFrameBytes else {
            buffer.moveWriterIndex(to: lengthIndex)
            throw WireError(
                code: .frameTooLarge,
                message: "an encoded frame of \(written) bytes is over the limit of \(maxFrameBytes) bytes"
            )
        }
        buffer.setInteger(UInt32(written), at: lengthIndex)
    }
}
