/// Builds indented Swift source text line by line.
struct CodeWriter {
    private(set) var text = ""
    private var indentation = 0

    mutating func line(_ line: String = "") {
        if line.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: "    ", count: indentation) + line + "\n"
        }
    }

    /// Writes `opening`, the body one level deeper, then `closing` (nothing when nil).
    mutating func block(_ opening: String, closing: String? = "}", _ body: (inout CodeWriter) throws -> Void) rethrows {
        line(opening)
        indentation += 1
        try body(&self)
        indentation -= 1
        if let closing { line(closing) }
    }

    /// Writes the body one level deeper (e.g. the statements of a `case`).
    mutating func indented(_ body: (inout CodeWriter) throws -> Void) rethrows {
        indentation += 1
        try body(&self)
        indentation -= 1
    }

    /// A `///` doc comment from a .proto comment; nothing when `comment` is nil.
    mutating func doc(_ comment: String?) {
        guard let comment else { return }
        var lines = comment.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = String(line)
            while line.last == " " || line.last == "\t" || line.last == "\r" { line.removeLast() }
            return line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        // protoc keeps the space after `//`; drop one leading space common to every line.
        if lines.allSatisfy({ $0.isEmpty || $0.hasPrefix(" ") }) {
            lines = lines.map { $0.isEmpty ? $0 : String($0.dropFirst()) }
        }
        for text in lines {
            line(text.isEmpty ? "///" : "/// " + text)
        }
    }
}
