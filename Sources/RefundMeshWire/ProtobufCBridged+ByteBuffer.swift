import NIOCore

extension ProtobufCBridged {
    @discardableResult
    public func serialize(into buffer: inout ByteBuffer) throws -> Int {
        try ProtobufCArena.with { arena in
            let cMessage = try arena.lower(self)
            let size = Self.cPackedSize(cMessage)
            guard size > 0 else { return 0 }
            return buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
                Self.cPack(cMessage, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
    }
}
