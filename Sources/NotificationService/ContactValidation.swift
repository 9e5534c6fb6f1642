/// Checks and normalizes what a user gives as contact details (R-N2), with messages that say what
/// was wrong and what is expected.
public enum ContactValidation {
    /// A mainland mobile number (`13812345678`, `+86 138-1234-5678`) or any E.164 number
    /// (`+4915112345678`), as E.164 (`+8613812345678`).
    /// - Throws: ``PreferencesError`` naming `phone`.
    public static func phone(_ text: String) throws -> String {
        let compact = text.filter { $0 != " " && $0 != "-" }
        let fail = PreferencesError(
            field: "phone",
            message: "phone \"\(text)\" is not a mobile number: expected 11 digits starting with 1 "
                + "(e.g. 13812345678) or + and a country code (E.164, e.g. +8613812345678)"
        )
        if compact.hasPrefix("+") {
            let digits = compact.dropFirst()
            guard (8...15).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), digits.first != "0" else {
                throw fail
            }
            if digits.hasPrefix("86") { try requireMainlandMobile(String(digits.dropFirst(2)), fail) }
            return compact
        }
        try requireMainlandMobile(compact, fail)
        return "+86" + compact
    }

    private static func requireMainlandMobile(_ digits: String, _ fail: PreferencesError) throws {
        let second = digits.dropFirst().first ?? "0"
        guard digits.count == 11, digits.allSatisfy(\.isASCIIDigit), digits.first == "1", ("3"..."9").contains(second)
        else { throw fail }
    }

    /// Whether `text` is an ASCII address `local@domain.tld` that is safe in an SMTP command and a
    /// header (no spaces, angle brackets, quotes or line breaks).
    public static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, text.count <= 254 else { return false }
        let local = parts[0]
        let domain = parts[1]
        let localAllowed: (Character) -> Bool = {
            $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-/=?^_`{|}~.".contains($0))
        }
        guard (1...64).contains(local.count), local.allSatisfy(localAllowed), local.first != ".", local.last != ".",
            !local.contains("..")
        else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// The e-mail address, trimmed.
    /// - Throws: ``PreferencesError`` naming `email`.
    public static func email(_ text: String) throws -> String {
        let trimmed = text.trimmingSpaces
        guard isEmailAddress(trimmed) else {
            throw PreferencesError(
                field: "email",
                message: "email \"\(text)\" is not an e-mail address: expected name@example.com "
                    + "(ASCII letters, digits and . _ + - before the @, a domain with a dot after it)"
            )
        }
        return trimmed
    }

    /// A webhook URL: https://, or http:// to a loopback host (or anywhere when `allowsHTTP`).
    /// - Throws: ``PreferencesError`` naming `webhook_url`.
    public static func webhookURL(_ text: String, allowsHTTP: Bool) throws -> String {
        let trimmed = text.trimmingSpaces
        func fail(_ why: String) -> PreferencesError {
            PreferencesError(field: "webhook_url", message: "webhook_url \"\(text)\" \(why)")
        }
        let scheme: String
        if trimmed.lowercased().hasPrefix("https://") {
            scheme = "https"
        } else if trimmed.lowercased().hasPrefix("http://") {
            scheme = "http"
        } else {
            throw fail("must start with https:// (e.g. https://example.com/refund-events)")
        }
        let rest = trimmed.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw fail("needs a host and no user:password@ (e.g. https://example.com/hook)")
        }
        guard trimmed.count <= 2048, trimmed.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw fail("must be at most 2048 ASCII characters without spaces (percent-encode the rest)")
        }
        let host: Substring
        if authority.hasPrefix("[") {
            host = authority.prefix { $0 != "]" }.dropFirst()
        } else {
            host = authority.prefix { $0 != ":" }
        }
        if authority.hasPrefix("["), !authority.contains("]") { throw fail("has an unclosed [ in its host") }
        let afterHost = authority.dropFirst(authority.hasPrefix("[") ? host.count + 2 : host.count)
        if afterHost.hasPrefix(":") {
            guard let port = Int(afterHost.dropFirst()), (1...65535).contains(port) else {
                throw fail("has a bad port: expected 1...65535 after the colon")
            }
        } else if !afterHost.isEmpty {
            throw fail("has an unreadable host")
        }
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        if scheme == "http", !loopback, !allowsHTTP {
            throw fail("must use https:// (plain http:// is accepted for localhost only)")
        }
        return trimmed
    }

    /// "zh-CN", "en" or "" (the event's own locale).
    /// - Throws: ``PreferencesError`` naming `locale`.
    public static func locale(_ text: String) throws -> String {
        switch text.lowercased() {
        case "": return ""
        case "zh", "zh-cn", "zh_cn", "zh-hans": return NotificationTemplates.Language.zhCN.rawValue
        case "en", "en-us", "en-gb", "en_us": return NotificationTemplates.Language.en.rawValue
        default:
            throw PreferencesError(
                field: "locale",
                message: "locale \"\(text)\" is not supported: use zh-CN (the default) or en"
            )
        }
    }

    /// A webhook signing secret: 16 to 256 printable ASCII characters.
    /// - Throws: ``PreferencesError`` naming `webhook_secret` (without echoing the secret).
    public static func webhookSecret(_ text: String) throws -> String {
        guard (16...256).contains(text.count), text.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline })
        else {
            throw PreferencesError(
                field: "webhook_secret",
                message: "webhook_secret must be 16 to 256 printable ASCII characters without spaces "
                    + "(got \(text.count) characters); e.g. 32 random hex digits"
            )
        }
        return text
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
