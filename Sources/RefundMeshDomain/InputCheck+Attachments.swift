import RefundMeshAPI

// Attachments (R-A5): what they are called and what they claim to be. How many and how large is the
// policy's (``RefundPolicy/attachmentViolation(_:)``); the bytes are stored content-addressed and
// never executed or shown inline, so these checks keep names and types honest for the people and
// tools that open them later.
extension InputCheck {
    /// A file name: 1 to ``InputLimits/maxFileNameBytes`` bytes, a name and not a path (no `/` or
    /// `\`, not `.`/`..`, not hidden), no control characters or direction overrides.
    public mutating func fileName(_ name: String, _ field: String) {
        guard !name.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            add("\(field) is required (the file's name, e.g. order.png)")
            return
        }
        if name.utf8.count > InputLimits.maxFileNameBytes {
            add("\(field) is \(name.utf8.count) bytes long; file names are at most \(InputLimits.maxFileNameBytes)")
        } else if name.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") })
            || name.hasPrefix(".")
        {
            add(
                "\(field) \(Self.quote(name)) must be a plain file name, not a path or a hidden file"
                    + " (no / or \\, no leading .)"
            )
        } else if let bad = name.unicodeScalars.first(where: { Self.isHidden($0, multiline: false) }) {
            add("\(field) contains \(Self.describe(bad)); file names have no control characters")
        }
    }

    /// A content type: one of ``InputLimits/contentTypes`` (parameters such as `charset=utf-8`
    /// allowed), and the file name's extension, when it has one, must be one that type uses.
    public mutating func contentType(_ contentType: String, fileName: String, _ field: String) {
        let accepted = InputLimits.contentTypes.keys.sorted().joined(separator: ", ")
        guard contentType.utf8.count <= InputLimits.maxContentTypeCharacters,
            contentType.unicodeScalars.allSatisfy({ $0.isASCII && !Self.isHidden($0, multiline: false) })
        else {
            add("\(field) must be a media type of at most \(InputLimits.maxContentTypeCharacters) ASCII characters")
            return
        }
        let mediaType = String(contentType.split(separator: ";", maxSplits: 1).first ?? "")
            .trimmingWhitespace().lowercased()
        guard let extensions = InputLimits.contentTypes[mediaType] else {
            add("\(field) \(Self.quote(contentType)) is not accepted; use one of \(accepted)")
            return
        }
        guard !extensions.isEmpty, let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return }
        let given = fileName[fileName.index(after: dot)...].lowercased()
        if !extensions.contains(given) {
            add(
                "\(field) \(mediaType) does not match the file name's .\(given.prefix(16)) (\(mediaType) files end in "
                    + extensions.map { "." + $0 }.joined(separator: " or ") + ")"
            )
        }
    }

    /// The attachments of one submission: each with a known material kind, an honest name and
    /// type, and some bytes. At most `maxCount` entries are looked at (the policy refuses more).
    public mutating func attachments(_ attachments: [Attachment], _ field: String = "attachments") {
        for (index, attachment) in attachments.enumerated() where problems.count < 20 {
            let item = "\(field)[\(index)]"
            known(attachment.kind, item + ".kind")
            fileName(attachment.fileName, item + ".file_name")
            contentType(attachment.contentType, fileName: attachment.fileName, item + ".content_type")
            if attachment.content.isEmpty { add("\(item).content is empty; attach the file's bytes") }
        }
    }

    /// Stored attachments as another service refers to them (review's OpenCase and
    /// AddMaterials): known kind, honest name, a SHA-256 in hex and a size that can be.
    public mutating func attachmentReferences(_ references: [AttachmentRef], _ field: String = "attachments") {
        count(references.count, field, max: RefundPolicy.allowedMaxAttachments.upperBound)
        for (index, reference) in references.enumerated() where problems.count < 20 {
            let item = "\(field)[\(index)]"
            known(reference.kind, item + ".kind")
            fileName(reference.fileName, item + ".file_name")
            if !reference.contentType.isEmpty {
                contentType(reference.contentType, fileName: reference.fileName, item + ".content_type")
            }
            let hex = reference.sha256Hex.unicodeScalars
            if hex.count != 64 || !hex.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) {
                add("\(item).sha256_hex must be 64 lowercase hexadecimal digits")
            }
            if reference.sizeBytes < 0 || reference.sizeBytes > RefundPolicy.allowedMaxAttachmentBytes.upperBound {
                add(
                    "\(item).size_bytes must be 0...\(RefundPolicy.allowedMaxAttachmentBytes.upperBound)"
                        + " (got \(reference.sizeBytes))"
                )
            }
        }
    }
}
