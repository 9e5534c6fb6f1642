/// The parts of a protobuf schema the generator uses, read from a `FileDescriptorSet`.
///
/// These are plain values, decoupled from protobuf-c's structs (which are freed right after
/// reading), so the rest of the generator never touches C pointers.
struct ProtoFile: Sendable, Equatable {
    /// The path protoc was given, e.g. `refundmesh/health/v1/health.proto`.
    var path: String
    /// The package, e.g. `refundmesh.health.v1`; "" when the file declares none.
    var package: String
    /// `proto3`, `proto2` (protoc writes nothing for proto2) or `editions`.
    var syntax: String
    var dependencies: [String] = []
    var messages: [ProtoMessageType] = []
    var enums: [ProtoEnum] = []
    var services: [ProtoService] = []
    /// Names of top-level extensions (`extend Foo { … }`), which the generator refuses.
    var extensionNames: [String] = []
}

/// A message declaration, with its nested declarations.
struct ProtoMessageType: Sendable, Equatable {
    /// The unqualified name, e.g. `Deeper`.
    var name: String
    /// The fully qualified name without a leading dot, e.g. `refundmesh.testing.v1.Inner.Deeper`.
    var fullName: String
    var fields: [ProtoField] = []
    var oneofNames: [String] = []
    var messages: [ProtoMessageType] = []
    var enums: [ProtoEnum] = []
    /// protoc's synthetic `…Entry` type of a `map<K, V>` field.
    var isMapEntry = false
    var extensionNames: [String] = []
    var hasExtensionRanges = false
    var comment: String?
}

/// A field as declared (`label`, `type` and `typeName` as in descriptor.proto).
struct ProtoField: Sendable, Equatable {
    enum Label: Sendable, Equatable { case optional, required, repeated }

    enum Kind: Int32, Sendable, Equatable {
        case double = 1
        case float = 2
        case int64 = 3
        case uint64 = 4
        case int32 = 5
        case fixed64 = 6
        case fixed32 = 7
        case bool = 8
        case string = 9
        case group = 10
        case message = 11
        case bytes = 12
        case uint32 = 13
        case enumeration = 14
        case sfixed32 = 15
        case sfixed64 = 16
        case sint32 = 17
        case sint64 = 18
    }

    var name: String
    var number: Int32
    var label: Label
    var kind: Kind
    /// For messages and enums: the fully qualified type name without a leading dot.
    var typeName: String?
    /// Index into the containing message's ``ProtoMessageType/oneofNames``.
    var oneofIndex: Int?
    var isProto3Optional = false
    var comment: String?
}

struct ProtoEnum: Sendable, Equatable {
    struct Value: Sendable, Equatable {
        var name: String
        var number: Int32
        var comment: String?
    }

    var name: String
    var fullName: String
    var values: [Value] = []
    var comment: String?
}

struct ProtoService: Sendable, Equatable {
    var name: String
    var fullName: String
    var methods: [ProtoMethod] = []
    var comment: String?
}

struct ProtoMethod: Sendable, Equatable {
    var name: String
    /// Fully qualified, without a leading dot.
    var inputType: String
    var outputType: String
    var clientStreaming: Bool
    var serverStreaming: Bool
    /// `idempotency_level` is IDEMPOTENT or NO_SIDE_EFFECTS.
    var isIdempotent: Bool
    var comment: String?
}
