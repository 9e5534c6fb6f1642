import CProtobufC
import CRefundMeshProtos

/// A ``ProtoMessage`` whose encoding is done by libprotobuf-c.
///
/// Generated code supplies the bridge: ``lower(into:arena:)`` writes the Swift value into the
/// protobuf-c struct (every allocation from a ``ProtobufCArena``), ``init(lifting:)`` reads a
/// struct that protobuf-c unpacked, and the four `c…` functions forward to the functions that
/// `protoc-c` generated for the type. This extension turns them into ``ProtoMessage``'s
/// operations; no per-message code is written by hand.
public protocol ProtobufCBridged: ProtoMessage {
    /// The struct `protoc-c` generated for this message.
    associatedtype CStruct

    /// Sets `pointer` to protobuf-c's defaults (the generated `…__init`).
    static func cInit(_ pointer: UnsafeMutablePointer<CStruct>)
    /// The generated `…__get_packed_size`.
    static func cPackedSize(_ pointer: UnsafePointer<CStruct>) -> Int
    /// The generated `…__pack`; returns the bytes written.
    static func cPack(_ pointer: UnsafePointer<CStruct>, into out: UnsafeMutablePointer<UInt8>) -> Int
    /// The generated `…__unpack`; nil when the bytes are not a valid encoding.
    static func cUnpack(
        allocator: UnsafeMutablePointer<ProtobufCAllocator>,
        count: Int,
        bytes: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CStruct>?

    /// Writes `self` into `pointer`, which ``cInit(_:)`` initialised.
    func lower(into pointer: UnsafeMutablePointer<CStruct>, arena: ProtobufCArena) throws
    /// Reads a struct that protobuf-c unpacked, validating every string.
    init(lifting pointer: UnsafePointer<CStruct>) throws
}

extension ProtobufCBridged {
    // @inlinable here and below: specialized in the caller, a call looks up no generic metadata.
    @inlinable
    public func serializedBytes() throws -> [UInt8] {
        try ProtobufCArena.with { arena in
            let cMessage = try arena.lower(self)
            let size = Self.cPackedSize(cMessage)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = size == 0 ? 0 : Self.cPack(cMessage, into: buffer.baseAddress!)
            }
        }
    }

    @inlinable
    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws {
        self = try ProtobufCArena.with { arena in
            try arena.unpack(Self.self, from: bytes)
        }
    }
}
