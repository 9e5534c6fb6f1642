/// Checks a request's fields against ``InputLimits``, collecting every problem, then throws them
/// together as one ``InputProblem``.
///
/// Every service runs its requests through one before reading or writing its store, so a hostile
/// or broken request is refused with all that is wrong with it and nothing is stored:
///
/// ```swift
/// var check = InputCheck()
/// check.identifier(order.orderID, "order_id")
/// check.amount(order.priceFen, "price_fen")
/// check.pastTime(order.paidAtMs, "paid_at_ms", now: nowMs)
/// try check.finish("the order")
/// ```
public struct InputCheck: Sendable {
    /// The problems found so far, one sentence each.
    public private(set) var problems: [String] = []

    public init() {}

    /// Whether nothing was found so far.
    public var isClean: Bool { problems.isEmpty }

    /// Adds a problem the caller found itself (a rule between two fields, for instance).
    public mutating func add(_ problem: String) {
        problems.append(problem)
    }

    /// Throws the problems found, if any, as one ``InputProblem`` about `subject`.
    public func finish(_ subject: String) throws(InputProblem) {
        guard problems.isEmpty else { throw InputProblem(subject: subject, problems: problems) }
    }

    // MARK: Ids

    /// An id: 1 to ``InputLimits/maxIdentifierBytes`` bytes of ASCII letters, digits and
    /// ``InputLimits/identifierPunctuation``. Empty is a problem only when `required`.
    public mutating func identifier(_ value: String, _ field: String, required: Bool = true) {
        if value.isEmpty {
            if required { add("\(field) is required") }
            return
        }
        if value.utf8.count > InputLimits.maxIdentifierBytes {
            add("\(field) is \(value.utf8.count) bytes long; ids are at most \(InputLimits.maxIdentifierBytes) bytes")
            return
        }
        if let bad = value.unicodeScalars.first(where: { !Self.isIdentifierScalar($0) }) {
            add(
                "\(field) contains \(Self.describe(bad)); ids are ASCII letters, digits and "
                    + InputLimits.identifierPunctuation.map { String($0) }.sorted().joined(separator: " ")
            )
        } else if Self.containsTwoDots(value) {
            // Ids are never paths here, but one may become part of a file name in an export or a
            // tool: refusing ".." keeps it from ever climbing out of a folder.
            add("\(field) contains \"..\"; ids do not contain two dots in a row")
        }
    }

    /// Whether `value` has two dots in a row. Byte by byte: `String.contains(_:)` with a string
    /// argument resolves to Foundation's, a CFString search, and every id of every call is checked.
    static func containsTwoDots(_ value: String) -> Bool {
        var previousWasDot = false
        for byte in value.utf8 {
            let isDot = byte == UInt8(ascii: ".")
            if isDot && previousWasDot { return true }
            previousWasDot = isDot
        }
        return false
    }

    /// A list of ids, each checked as ``identifier(_:_:required:)``, at most `maxCount` of them.
    public mutating func identifiers(
        _ values: [String],
        _ field: String,
        maxCount: Int = InputLimits.maxListEntries
    ) {
        guard values.count <= maxCount else {
            add("\(field) has \(values.count) entries; at most \(maxCount) are accepted")
            return
        }
        for (index, value) in values.enumerated() { identifier(value, "\(field)[\(index)]") }
    }

    static func isIdentifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: InputLimits.identifierPunctuation.contains(scalar)
        }
    }

    // MARK: Text

    /// Free text a person writes: at most `maxCharacters` characters; newlines and tabs are fine,
    /// other control characters and invisible direction overrides are not.
    public mutating func text(
        _ value: String,
        _ field: String,
        maxCharacters: Int = InputLimits.maxTextCharacters,
        required: Bool = false
    ) {
        checkText(value, field, maxCharacters: maxCharacters, multiline: true, required: required)
    }

    /// A short label on one line (SKU, device id, rule, actor): at most `maxCharacters` characters,
    /// no control characters at all.
    public mutating func label(
        _ value: String,
        _ field: String,
        maxCharacters: Int = InputLimits.maxLabelCharacters,
        required: Bool = false
    ) {
        checkText(value, field, maxCharacters: maxCharacters, multiline: false, required: required)
    }

    private mutating func checkText(
        _ value: String,
        _ field: String,
        maxCharacters: Int,
        multiline: Bool,
        required: Bool
    ) {
        if required, value.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            add("\(field) is required")
            return
        }
        let count = value.unicodeScalars.count
        if count > maxCharacters {
            add("\(field) is \(count) characters long; at most \(maxCharacters) are accepted")
            return
        }
        if let bad = value.unicodeScalars.first(where: { Self.isHidden($0, multiline: multiline) }) {
            add(
                "\(field) contains \(Self.describe(bad)); "
                    + (multiline
                        ? "text may contain newlines and tabs but no other control characters"
                        : "it must be one line without control characters")
            )
        }
    }

    /// Control characters (C0, DEL, C1), and the bidirectional overrides and isolates that make
    /// text read differently from what it is ("invoice\u{202E}fdp.exe"). Newline, carriage
    /// return and tab are text when `multiline`.
    static func isHidden(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: !multiline
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// A locale tag: empty (the default), or letters, digits, `-` and `_` up to
    /// ``InputLimits/maxLocaleCharacters``.
    public mutating func locale(_ value: String, _ field: String = "locale") {
        guard value.utf8.count <= InputLimits.maxLocaleCharacters,
            value.unicodeScalars.allSatisfy({ Self.isIdentifierScalar($0) && $0 != "." && $0 != ":" })
        else {
            add("\(field) must be a language tag such as zh-CN or en (got \(Self.quote(value)))")
            return
        }
    }

    // MARK: Money

    /// An amount in fen: not negative, not above ``InputLimits/maxAmountFen``, and above 0 unless
    /// `allowsZero`.
    public mutating func amount(_ fen: Int64, _ field: String, allowsZero: Bool = false) {
        if fen < 0 {
            add("\(field) must not be negative (got \(fen) fen)")
        } else if fen == 0, !allowsZero {
            add("\(field) must be above 0 fen")
        } else if fen > InputLimits.maxAmountFen {
            add(
                "\(field) \(fen) fen is above the largest amount accepted, "
                    + "\(RefundText.money(InputLimits.maxAmountFen)) (\(InputLimits.maxAmountFen) fen)"
            )
        }
    }

    // MARK: Time

    /// A moment that has happened (paid, captured, recorded): between
    /// ``InputLimits/earliestMs`` and `now` plus ``InputLimits/clockSkewMs``. Zero means "not
    /// given" and is a problem only when `required`.
    public mutating func pastTime(_ ms: Int64, _ field: String, now: Int64, required: Bool = true) {
        if ms == 0 {
            if required { add("\(field) is required (Unix epoch milliseconds, UTC)") }
            return
        }
        if ms < InputLimits.earliestMs {
            add(Self.tooEarly(ms, field))
        } else if ms > now.saturatingAdding(InputLimits.clockSkewMs) {
            add(
                "\(field) \(ms) (\(Self.utc(ms))) is in the future: more than "
                    + "\(InputLimits.clockSkewMs / 60_000) minutes after the service's clock (\(Self.utc(now)))"
            )
        }
    }

    /// Any moment, past or future (a validity end, an expected arrival): between
    /// ``InputLimits/earliestMs`` and ``InputLimits/latestMs``. Zero means "not given" and is a
    /// problem only when `required`.
    public mutating func time(_ ms: Int64, _ field: String, required: Bool = false) {
        if ms == 0 {
            if required { add("\(field) is required (Unix epoch milliseconds, UTC)") }
            return
        }
        if ms < InputLimits.earliestMs {
            add(Self.tooEarly(ms, field))
        } else if ms > InputLimits.latestMs {
            add("\(field) \(ms) is after 9999-12-31; times are Unix epoch milliseconds, UTC")
        }
    }

    private static func tooEarly(_ ms: Int64, _ field: String) -> String {
        "\(field) \(ms) is before 2000-01-01; times are Unix epoch milliseconds, UTC (seconds would be 1000 times"
            + " smaller)"
    }

    /// `ms` as `yyyy-MM-ddTHH:mm:ssZ`.
    static func utc(_ ms: Int64) -> String {
        let day = ms >= 0 ? ms / 86_400_000 : (ms + 1) / 86_400_000 - 1
        let seconds = (ms - day * 86_400_000) / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(CivilDate(daysSinceEpoch: day))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
    }

    // MARK: Enums and lists

    /// An enum value by its number: one of `cases` (the names of 1, 2, 3…), or 0 when
    /// `allowsUnspecified`. Catches the numbers a newer or hostile client sends that this schema
    /// does not name (`.unrecognized`).
    public mutating func known(
        _ rawValue: Int32,
        _ field: String,
        cases: [String],
        allowsUnspecified: Bool = false
    ) {
        if rawValue == 0, allowsUnspecified { return }
        guard rawValue >= 1, Int(rawValue) <= cases.count else {
            let given = rawValue == 0 ? "is required" : "\(rawValue) is not a known value"
            add("\(field) \(given); use one of \(cases.joined(separator: ", "))")
            return
        }
    }

    /// A repeated field's length: at most `max` entries.
    public mutating func count(_ count: Int, _ field: String, max: Int = InputLimits.maxListEntries) {
        if count > max { add("\(field) has \(count) entries; at most \(max) are accepted") }
    }

    // MARK: Helpers

    /// A scalar as a person can read it: `U+0000 (a control character)`.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return "\(code) (a control character)" }
        if isHidden(scalar, multiline: true) { return "\(code) (an invisible direction control)" }
        return "'\(scalar)' (\(code))"
    }

    /// At most 40 characters of `value`, quoted, with controls escaped, for messages.
    static func quote(_ value: String) -> String {
        var shown = ""
        for scalar in value.unicodeScalars.prefix(40) {
            shown += isHidden(scalar, multiline: false) ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return "\"" + shown + (value.unicodeScalars.count > 40 ? "…" : "") + "\""
    }
}
