/// The names protoc-c 1.4 gives to generated C declarations (protoc-c/c_helpers.cc), so the
/// Swift bridge can name them. Each function mirrors its protoc-c namesake, ASCII rules included.
enum CNaming {
    /// C++ keywords protoc-c suffixes with `_` in field names (`default` → `default_`).
    static let keywords: Set<String> = [
        "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char", "class",
        "compl", "const", "const_cast", "continue", "default", "delete", "do", "double", "dynamic_cast", "else",
        "enum", "explicit", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int", "long",
        "mutable", "namespace", "new", "not", "not_eq", "operator", "or", "or_eq", "private", "protected",
        "public", "register", "reinterpret_cast", "return", "short", "signed", "sizeof", "static",
        "static_cast", "struct", "switch", "template", "this", "throw", "true", "try", "typedef", "typeid",
        "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
        "xor_eq",
    ]

    /// The struct (typedef) name of a message or enum: `refundmesh.testing.v1.KitchenSink.LabelsEntry`
    /// → `Refundmesh__Testing__V1__KitchenSink__LabelsEntry`.
    static func typeName(_ fullName: String) -> String {
        pieces(fullName).map(toCamel).joined(separator: "__")
    }

    /// The prefix of functions and descriptors: `refundmesh.testing.v1.KitchenSink.LabelsEntry`
    /// → `refundmesh__testing__v1__kitchen_sink__labels_entry`.
    static func functionPrefix(_ fullName: String) -> String {
        pieces(fullName).map(camelToLower).joined(separator: "__")
    }

    /// The prefix of macros and enum constants: `REFUNDMESH__TESTING__V1__KITCHEN_SINK`.
    static func upperPrefix(_ fullName: String) -> String {
        pieces(fullName).map(camelToUpper).joined(separator: "__")
    }

    /// A struct member: the field name lower-cased, `_` appended to C++ keywords.
    static func fieldName(_ protoName: String) -> String {
        let lower = asciiLower(protoName)
        return keywords.contains(lower) ? lower + "_" : lower
    }

    /// The `…_case` member of a oneof.
    static func oneofCaseMember(_ oneofName: String) -> String {
        camelToLower(oneofName) + "_case"
    }

    /// The constant of a oneof member: `REFUNDMESH__TESTING__V1__KITCHEN_SINK__CHOICE_CHOICE_TEXT`.
    static func oneofCaseConstant(message: String, oneof: String, field: String) -> String {
        upperPrefix(message) + "__" + camelToUpper(oneof) + "_" + camelToUpper(field)
    }

    // MARK: protoc-c's helpers

    static func toCamel(_ name: String) -> String {
        var result = ""
        var nextIsUpper = true
        for byte in name.utf8 {
            if byte == UInt8(ascii: "_") {
                nextIsUpper = true
            } else if nextIsUpper {
                result.unicodeScalars.append(Unicode.Scalar(upper(byte)))
                nextIsUpper = false
            } else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }

    static func camelToLower(_ name: String) -> String {
        caseChange(name, transform: lower)
    }

    static func camelToUpper(_ name: String) -> String {
        caseChange(name, transform: upper)
    }

    /// protoc-c's CamelToLower/CamelToUpper: `_` before an upper-case letter that follows a
    /// non-upper-case character; every character transformed.
    private static func caseChange(_ name: String, transform: (UInt8) -> UInt8) -> String {
        var result = ""
        var wasUpper = true
        for byte in name.utf8 {
            let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
            if isUpper && !wasUpper { result += "_" }
            result.unicodeScalars.append(Unicode.Scalar(transform(byte)))
            wasUpper = isUpper
        }
        return result
    }

    private static func pieces(_ fullName: String) -> [String] {
        fullName.split(separator: ".").map(String.init)
    }

    private static func asciiLower(_ name: String) -> String {
        var result = ""
        for byte in name.utf8 { result.unicodeScalars.append(Unicode.Scalar(lower(byte))) }
        return result
    }

    private static func upper(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
