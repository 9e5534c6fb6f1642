import Foundation

/// A plain-text UTF-8 e-mail as it goes over SMTP's DATA: headers (the subject encoded per
/// RFC 2047), a quoted-printable body (RFC 2045), CRLF line ends, and a `Message-ID` derived from
/// the event id so a receiver can tell a resent notification from a new one.
public struct SMTPMessage: Sendable, Hashable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    public var messageID: String
    public var date: Date
    /// More headers, e.g. `X-RefundMesh-Event-Id`; names and values must be ASCII.
    public var extraHeaders: [(name: String, value: String)]

    public init(
        from: String,
        to: String,
        subject: String,
        body: String,
        messageID: String,
        date: Date,
        extraHeaders: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.date = date
        self.extraHeaders = extraHeaders
    }

    public static func == (lhs: SMTPMessage, rhs: SMTPMessage) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rendered()) }

    /// `<encoded event id@domain>`: the event id with every character outside letters, digits,
    /// `-`, `_` and `.` written as `=XX` (its UTF-8 bytes), so the id stays readable and
    /// different events never share a Message-ID.
    public static func messageID(eventID: String, domain: String) -> String {
        var local = ""
        for byte in eventID.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80,
                scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))
                    || "-_.".contains(Character(scalar))
            {
                local.append(Character(scalar))
            } else {
                local += "=" + hex(byte)
            }
        }
        if local.isEmpty || local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            local = local.replacingOccurrences(of: ".", with: "=2E")
        }
        return "<\(local)@\(domain)>"
    }

    /// The message as DATA carries it, before dot-stuffing: header lines, a blank line, the body,
    /// all with CRLF.
    public func rendered() -> String {
        var lines = [
            "From: " + from,
            "To: " + to,
            "Subject: " + Self.encodedWords(subject),
            "Date: " + Self.rfc5322Date(date),
            "Message-ID: " + messageID,
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
            "Auto-Submitted: auto-generated",
        ]
        lines += extraHeaders.map { "\($0.name): \($0.value)" }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + Self.quotedPrintable(body) + "\r\n"
    }

    /// The header value as RFC 2047 encoded words (`=?UTF-8?B?…?=`) of at most 60 characters
    /// (the limit is 75), folded with CRLF and a space, never splitting a character; short
    /// printable ASCII stays as it is.
    public static func encodedWords(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }), !text.contains("=?"), text.count <= 76
        {
            return text
        }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 36 bytes are 48 base64 characters; with "=?UTF-8?B?" and "?=" a word is 60 characters,
            // so even the first line ("Subject: " and a word) stays within 76.
            if chunk.count + bytes.count > 36, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `text`'s UTF-8 as quoted-printable: line breaks become CRLF, lines are at most 76
    /// characters (soft breaks `=`), `=`, control and non-ASCII bytes are `=XX`, as are a
    /// line's trailing spaces and tabs.
    public static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var encoded = ""
            var width = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast)
                let token = literal ? String(UnicodeScalar(byte)) : "=" + hex(byte)
                if width + token.count > 75 {
                    encoded += "=\r\n"
                    width = 0
                }
                encoded += token
                width += token.count
            }
            out.append(encoded)
        }
        return out.joined(separator: "\r\n")
    }

    /// What goes after DATA's 354: line ends made CRLF, every line that starts with "." given a
    /// second one (RFC 5321 §4.5.2), and the terminating `CRLF.CRLF`.
    public static func dotStuffed(_ data: String) -> String {
        let normalized = data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let stuffed = lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }
        return stuffed.map { $0 + "\r\n" }.joined() + ".\r\n"
    }

    /// `Wed, 25 Nov 2026 21:54:14 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
