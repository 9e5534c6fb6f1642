/// How protobuf names become Swift names.
///
/// Fields and methods become lowerCamelCase, with well-known initialisms upper-cased as whole
/// words (`call_id` → `callID`, as the Swift API Design Guidelines ask); enum values lose their
/// type's UPPER_SNAKE prefix (`SERVING_STATUS_NOT_SERVING` → `notServing`).
enum SwiftNaming {
    /// Words written all upper-case when they are a whole component of a name.
    static let initialisms: Set<String> = ["id", "url", "ip", "api", "sla", "utf8"]

    /// Swift keywords and names that need backticks as identifiers.
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "Type", "Protocol", "consume", "copy", "discard", "borrowing",
        "consuming", "_",
    ]

    /// `snake_case` (or already camel) → `lowerCamelCase`: `last_call_id` → `lastCallID`,
    /// `f_int32` → `fInt32`, `ListServices` → `listServices`.
    static func lowerCamel(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return name }
        var result = lowerFirstWord(first)
        for part in parts.dropFirst() {
            result += upperWord(part)
        }
        return result
    }

    /// `snake_case` → `UpperCamelCase`: `choice` → `Choice`, `serving_status` → `ServingStatus`.
    static func upperCamel(_ name: String) -> String {
        words(name).map(upperWord).joined()
    }

    /// `CamelCase` → `UPPER_SNAKE`: `ServingStatus` → `SERVING_STATUS`, `HTTPCode` → `HTTP_CODE`.
    static func upperSnake(_ name: String) -> String {
        let scalars = Array(name.unicodeScalars)
        var result = ""
        for (index, scalar) in scalars.enumerated() {
            if index > 0, scalar.properties.isUppercase {
                let previous = scalars[index - 1]
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                let startsWord =
                    previous.properties.isLowercase || isDigit(previous)
                    || (previous.properties.isUppercase && (next?.properties.isLowercase ?? false))
                if startsWord && previous != "_" { result += "_" }
            }
            result += String(scalar).uppercased()
        }
        return result
    }

    /// The Swift case name of an enum value: the enum's UPPER_SNAKE prefix is dropped when the
    /// rest is still a valid name (`COLOUR_BLUE` in `Colour` → `blue`).
    static func enumCase(_ valueName: String, enumName: String) -> String {
        let prefix = upperSnake(enumName) + "_"
        var name = valueName
        if valueName.hasPrefix(prefix) {
            let rest = String(valueName.dropFirst(prefix.count))
            if let first = rest.unicodeScalars.first, !isDigit(first) { name = rest }
        }
        return lowerCamel(name.lowercased())
    }

    /// `name` with backticks when it is a Swift keyword.
    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    // MARK: Words

    /// Splits on `_` and on lower→upper case changes: `type_url` → [type, url], `fooBar` → [foo, Bar].
    static func words(_ name: String) -> [String] {
        var result: [String] = []
        var current = ""
        var previousWasLower = false
        for character in name {
            if character == "_" {
                if !current.isEmpty { result.append(current) }
                current = ""
                previousWasLower = false
                continue
            }
            if character.isUppercase && previousWasLower {
                result.append(current)
                current = ""
            }
            current.append(character)
            previousWasLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Lower-cases a leading run of capitals, keeping the last one when a lower-case letter
    /// follows it: `List` → `list`, `HTTPServer` → `httpServer`, `URL` → `url`.
    private static func lowerFirstWord(_ word: String) -> String {
        let characters = Array(word)
        var upperRun = 0
        while upperRun < characters.count, characters[upperRun].isUppercase { upperRun += 1 }
        if upperRun == 0 { return word }
        if upperRun == characters.count || upperRun == 1 || !characters[upperRun].isLowercase {
            return String(characters[..<upperRun]).lowercased() + String(characters[upperRun...])
        }
        return String(characters[..<(upperRun - 1)]).lowercased() + String(characters[(upperRun - 1)...])
    }

    private static func upperWord(_ word: String) -> String {
        if initialisms.contains(word.lowercased()) { return word.uppercased() }
        return word.prefix(1).uppercased() + word.dropFirst()
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }
}

extension SwiftNaming {
    /// A type name with backticks when Swift reserves it (`Type`, `Protocol`, `Any`, `Self`).
    static func escapedType(_ name: String) -> String { escaped(name) }
}
