import NIOCore
import RefundMeshTestSupport
import RefundMeshWire

/// The message bridge target (``FuzzTargets/messageBridge(_:)``) for one message type.
///
/// Bytes that protobuf-c refuses, or whose strings are not UTF-8, must fail with
/// `malformedMessage` or `invalidUTF8`. A message that decodes must then encode (its strings
/// came from the wire, so none holds a NUL), both encoding paths must give the same bytes, those
/// bytes must decode to an equal message, and encoding that message again must give the same
/// bytes: what a service decodes is what it would forward.
enum MessageRoundTrip {
    static func check(_ type: any ProtoMessage.Type, _ bytes: UnsafeRawBufferPointer) {
        roundTrip(type, bytes)
    }

    private static func roundTrip<Message: ProtoMessage>(_ type: Message.Type, _ bytes: UnsafeRawBufferPointer) {
        let name = Message.protoMessageName
        let first: Message
        do {
            first = try Message(serializedBytes: bytes)
        } catch let error as WireError {
            fuzzCheck(
                error.code == .malformedMessage || error.code == .invalidUTF8,
                "decoding \(name) threw \(error)"
            )
            return
        } catch {
            fuzzFailure("decoding \(name) threw \(Swift.type(of: error)), not a WireError: \(error)")
        }

        let encoded = encode(first)
        var buffer = ByteBuffer()
        do {
            let written = try first.serialize(into: &buffer)
            fuzzCheck(written == encoded.count, "\(name): serialize(into:) wrote \(written) of \(encoded.count) bytes")
        } catch {
            fuzzFailure("\(name): serialize(into:) failed where serializedBytes() did not: \(error)")
        }
        fuzzCheck(
            buffer.readableBytesView.elementsEqual(encoded),
            "\(name): the ByteBuffer and array encodings differ"
        )

        let second: Message
        do {
            second = try Message(serializedBytes: buffer)
        } catch {
            fuzzFailure("\(name): its own encoding does not decode: \(error)")
        }
        fuzzCheck(same(first, second), "\(name) changed in re-encoding: \(first) became \(second)")
        let reencoded = encode(second)
        fuzzCheck(
            reencoded == encoded,
            "\(name): encoding is not stable (\(encoded.count) then \(reencoded.count) bytes)"
        )
    }

    /// `==`, except that floats compare by their bits (only `KitchenSink` has any).
    private static func same<Message: ProtoMessage>(_ lhs: Message, _ rhs: Message) -> Bool {
        if let lhs = lhs as? KitchenSink, let rhs = rhs as? KitchenSink {
            return KitchenSink.bitwiseEqual(lhs, rhs)
        }
        return lhs == rhs
    }

    /// The encoding of a message that came from the wire; failing to encode one is a bug.
    static func encode<Message: ProtoMessage>(_ message: Message) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            fuzzFailure("a decoded \(Message.protoMessageName) does not encode: \(error)")
        }
    }
}
