import CProtobufC
import CProtobufCSupport
import CRefundMeshProtos

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for one encode or decode: every C allocation of a message tree comes from here and is
/// released at once when ``with(_:)`` returns.
///
/// The arena is the calling thread's cached `RMArena` (see `CProtobufCSupport`), so the common
/// case allocates nothing at all. Use it only inside ``with(_:)``, which is synchronous: the
/// arena never crosses a suspension point or a thread.
public struct ProtobufCArena {
    @usableFromInline
    let raw: OpaquePointer

    @usableFromInline
    init(raw: OpaquePointer) { self.raw = raw }

    /// Runs `body` with an arena that is reset afterwards, whatever `body` does.
    @inlinable
    public static func with<Result>(_ body: (ProtobufCArena) throws -> Result) throws -> Result {
        guard let raw = rm_arena_acquire() else {
            throw WireError(code: .outOfMemory, message: "could not allocate a protobuf-c arena")
        }
        defer { rm_arena_release(raw) }
        return try body(ProtobufCArena(raw: raw))
    }

    /// The allocator to pass to protobuf-c's unpack functions.
    public var allocator: UnsafeMutablePointer<ProtobufCAllocator> { rm_arena_allocator(raw) }

    /// Bytes allocated since the arena was last reset.
    public var bytesUsed: Int { rm_arena_bytes_used(raw) }

    /// Uninitialised memory for `count` values of `T`.
    @inlinable
    public func allocate<T>(_ type: T.Type, count: Int = 1) throws -> UnsafeMutablePointer<T> {
        let (bytes, overflow) = MemoryLayout<T>.stride.multipliedReportingOverflow(by: max(count, 1))
        guard !overflow, let raw = rm_arena_alloc(raw, bytes) else {
            throw WireError(code: .outOfMemory, message: "arena allocation of \(count) × \(T.self) failed")
        }
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    // MARK: Lowering Swift values into C

    /// A protobuf-c struct holding `message`.
    @inlinable
    public func lower<Message: ProtobufCBridged>(_ message: Message) throws -> UnsafeMutablePointer<Message.CStruct> {
        let pointer = try allocate(Message.CStruct.self)
        Message.cInit(pointer)
        try message.lower(into: pointer, arena: self)
        return pointer
    }

    /// A C array of struct pointers for a repeated message field; nil when `messages` is empty.
    @inlinable
    public func lower<Message: ProtobufCBridged>(
        _ messages: [Message]
    ) throws -> UnsafeMutablePointer<UnsafeMutablePointer<Message.CStruct>?>? {
        if messages.isEmpty { return nil }
        let array = try allocate(UnsafeMutablePointer<Message.CStruct>?.self, count: messages.count)
        for (index, message) in messages.enumerated() {
            array[index] = try lower(message)
        }
        return array
    }

    /// A NUL-terminated copy of `string`.
    /// - Throws: ``WireError/Code-swift.struct/embeddedNUL`` when `string` contains U+0000, which a
    ///   C string would silently cut off; `field` names the field in the message.
    @inlinable
    public func string(_ string: String, field: StaticString) throws -> UnsafeMutablePointer<CChar> {
        var string = string
        return try string.withUTF8 { utf8 in
            let pointer = try allocate(CChar.self, count: utf8.count + 1)
            if let base = utf8.baseAddress, utf8.count > 0 {
                if memchr(base, 0, utf8.count) != nil {
                    throw WireError(
                        code: .embeddedNUL,
                        message: "field \(field) contains a NUL character, which the wire format cannot carry"
                    )
                }
                UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: utf8.count)
            }
            pointer[utf8.count] = 0
            return pointer
        }
    }

    /// A C array of C strings for a repeated string field; nil when empty.
    @inlinable
    public func strings(
        _ strings: [String],
        field: StaticString
    ) throws -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        if strings.isEmpty { return nil }
        let array = try allocate(UnsafeMutablePointer<CChar>?.self, count: strings.count)
        for (index, element) in strings.enumerated() {
            array[index] = try string(element, field: field)
        }
        return array
    }

    /// protobuf-c's view of a bytes field. The bytes are copied into the arena.
    @inlinable
    public func binary(_ bytes: [UInt8]) throws -> ProtobufCBinaryData {
        if bytes.isEmpty { return ProtobufCBinaryData(len: 0, data: nil) }
        let pointer = try allocate(UInt8.self, count: bytes.count)
        bytes.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: bytes.count) }
        return ProtobufCBinaryData(len: bytes.count, data: pointer)
    }

    /// A C array of bytes values for a repeated bytes field; nil when empty.
    @inlinable
    public func binaries(_ values: [[UInt8]]) throws -> UnsafeMutablePointer<ProtobufCBinaryData>? {
        if values.isEmpty { return nil }
        let array = try allocate(ProtobufCBinaryData.self, count: values.count)
        for (index, element) in values.enumerated() {
            array[index] = try binary(element)
        }
        return array
    }

    /// A C array of scalars for a repeated numeric field; nil when empty.
    @inlinable
    public func array<Element>(_ values: [Element]) throws -> UnsafeMutablePointer<Element>? {
        if values.isEmpty { return nil }
        let array = try allocate(Element.self, count: values.count)
        values.withUnsafeBufferPointer { array.initialize(from: $0.baseAddress!, count: values.count) }
        return array
    }

    /// A C array of converted values (enums, booleans) for a repeated field; nil when empty.
    @inlinable
    public func array<Element, CElement>(
        _ values: [Element],
        _ transform: (Element) -> CElement
    ) throws -> UnsafeMutablePointer<CElement>? {
        if values.isEmpty { return nil }
        let array = try allocate(CElement.self, count: values.count)
        for (index, element) in values.enumerated() {
            (array + index).initialize(to: transform(element))
        }
        return array
    }

    // MARK: Unpacking

    /// Unpacks `bytes` with protobuf-c into this arena and lifts the result into Swift.
    /// - Throws: ``WireError/Code-swift.struct/malformedMessage`` when protobuf-c rejects the
    ///   bytes (it gives no reason), or a lifting error such as invalid UTF-8.
    @inlinable
    public func unpack<Message: ProtobufCBridged>(
        _ type: Message.Type,
        from bytes: UnsafeRawBufferPointer
    ) throws -> Message {
        // protobuf-c wants a non-NULL pointer even for zero bytes.
        var empty: UInt8 = 0
        let cMessage: UnsafeMutablePointer<Message.CStruct>? = withUnsafeMutablePointer(to: &empty) { emptyPointer in
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyPointer)
            return Message.cUnpack(allocator: allocator, count: bytes.count, bytes: base)
        }
        guard let cMessage else {
            throw WireError(
                code: .malformedMessage,
                message: "\(bytes.count) bytes are not a valid \(Message.protoMessageName) (protobuf-c rejected them)"
            )
        }
        return try Message(lifting: cMessage)
    }
}
