import CProtobufC
import CRefundMeshProtos

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading protobuf-c structs into Swift values, used by generated ``ProtobufCBridged/init(lifting:)``.
///
/// protobuf-c does not check that strings are UTF-8; these functions do, and name the field when
/// they refuse one.
public enum ProtobufCLift {
    /// A string field; NULL reads as "".
    @inlinable
    public static func string(_ pointer: UnsafePointer<CChar>?, field: StaticString) throws -> String {
        guard let pointer, pointer.pointee != 0 else { return "" }
        // Not `String(validating:as:)`: it is generic, and its unspecialized copy looked up type
        // metadata on every call (a quarter of decoding a request, Benchmarks/README.md).
        guard let string = String(validatingCString: pointer) else {
            throw WireError(code: .invalidUTF8, message: "field \(field) is not valid UTF-8")
        }
        return string
    }

    /// A repeated string field.
    @inlinable
    public static func strings(
        _ pointer: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
        count: Int,
        field: StaticString
    ) throws -> [String] {
        guard let pointer, count > 0 else { return [] }
        var result: [String] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(try string(pointer[index], field: field))
        }
        return result
    }

    /// A bytes field.
    @inlinable
    public static func bytes(_ binary: ProtobufCBinaryData) -> [UInt8] {
        guard binary.len > 0, let data = binary.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: binary.len))
    }

    /// A repeated bytes field.
    @inlinable
    public static func binaries(_ pointer: UnsafePointer<ProtobufCBinaryData>?, count: Int) -> [[UInt8]] {
        guard let pointer, count > 0 else { return [] }
        return (0..<count).map { bytes(pointer[$0]) }
    }

    /// A repeated numeric field.
    @inlinable
    public static func array<Element>(_ pointer: UnsafePointer<Element>?, count: Int) -> [Element] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// A repeated field whose elements need converting (enums, booleans).
    @inlinable
    public static func array<CElement, Element>(
        _ pointer: UnsafePointer<CElement>?,
        count: Int,
        _ transform: (CElement) -> Element
    ) -> [Element] {
        guard let pointer, count > 0 else { return [] }
        return UnsafeBufferPointer(start: pointer, count: count).map(transform)
    }

    /// A message field; NULL reads as nil.
    @inlinable
    public static func message<Message: ProtobufCBridged>(
        _ pointer: UnsafePointer<Message.CStruct>?,
        as type: Message.Type
    ) throws -> Message? {
        guard let pointer else { return nil }
        return try Message(lifting: pointer)
    }

    /// A repeated message field.
    @inlinable
    public static func messages<Message: ProtobufCBridged>(
        _ pointer: UnsafePointer<UnsafeMutablePointer<Message.CStruct>?>?,
        count: Int,
        as type: Message.Type
    ) throws -> [Message] {
        guard let pointer, count > 0 else { return [] }
        var result: [Message] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let element = pointer[index] else {
                throw WireError(
                    code: .malformedMessage,
                    message: "\(Message.protoMessageName) element \(index) is missing"
                )
            }
            result.append(try Message(lifting: element))
        }
        return result
    }
}
