/// A failure to encode or decode bytes on the wire.
///
/// The RPC runtime maps these to statuses: a request that cannot be decoded is
/// `INVALID_ARGUMENT`, a response that cannot be decoded is `INTERNAL`, a frame over the limit is
/// `RESOURCE_EXHAUSTED`, a bad preface ends the connection with a GOAWAY that quotes ``message``.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case malformedMessage, invalidUTF8, embeddedNUL, frameTooLarge, badPreface,
                unsupportedVersion, outOfMemory, invalidFrame
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// protobuf-c could not unpack the bytes (truncated, wrong wire type, bad length...).
        public static let malformedMessage = Code(.malformedMessage)
        /// A string field holds bytes that are not UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A string to encode holds U+0000, which protobuf-c's C strings cannot carry.
        public static let embeddedNUL = Code(.embeddedNUL)
        /// A frame's declared length is over the connection's limit.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// The peer did not start with the RefundMesh RPC preface.
        public static let badPreface = Code(.badPreface)
        /// The peer speaks another protocol version.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The arena could not get memory.
        public static let outOfMemory = Code(.outOfMemory)
        /// A frame decoded but breaks the protocol's rules.
        public static let invalidFrame = Code(.invalidFrame)

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// What went wrong, for a person: names the message type and field where known.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
