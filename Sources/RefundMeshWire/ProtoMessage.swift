import NIOCore

/// A protobuf message as a Swift value.
///
/// Every message type is generated from `proto/` by `scripts/generate-protos.sh`; encoding and
/// decoding go through libprotobuf-c (see ``ProtobufCBridged``).
public protocol ProtoMessage: Sendable, Hashable {
    /// The fully qualified protobuf name, e.g. `refundmesh.rpc.v1.Frame`.
    static var protoMessageName: String { get }

    /// A message with every field at its default.
    init()

    /// The message's protobuf encoding.
    /// - Throws: ``WireError`` when a string cannot be carried (embedded NUL) or memory runs out.
    func serializedBytes() throws -> [UInt8]

    /// Appends the message's protobuf encoding to `buffer`; returns the number of bytes written.
    @discardableResult
    func serialize(into buffer: inout ByteBuffer) throws -> Int

    /// Decodes a message from its protobuf encoding.
    /// - Throws: ``WireError`` with ``WireError/Code-swift.struct/malformedMessage`` or
    ///   ``WireError/Code-swift.struct/invalidUTF8``.
    init(serializedBytes bytes: UnsafeRawBufferPointer) throws
}

extension ProtoMessage {
    /// Decodes a message from an array of bytes.
    @inlinable
    public init(serializedBytes bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { try Self(serializedBytes: $0) }
    }

    /// Decodes a message from the readable bytes of `buffer` without consuming them.
    public init(serializedBytes buffer: ByteBuffer) throws {
        self = try buffer.withUnsafeReadableBytes { try Self(serializedBytes: $0) }
    }
}
