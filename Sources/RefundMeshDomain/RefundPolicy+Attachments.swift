extension RefundPolicy {
    /// R-A5: the first attachment limit a submission breaks, or `nil` when it keeps them all.
    ///
    /// - Parameter attachments: each attachment's file name and size in bytes, in submission order.
    public func attachmentViolation(_ attachments: [(fileName: String, sizeBytes: Int64)]) -> RuleReason? {
        if attachments.count > maxAttachments {
            return RuleReason(
                rule: .a5,
                text: RefundText.tooManyAttachments(count: attachments.count, limit: maxAttachments)
            )
        }
        for attachment in attachments where attachment.sizeBytes > maxAttachmentBytes {
            return RuleReason(
                rule: .a5,
                text: RefundText.attachmentTooLarge(
                    fileName: attachment.fileName,
                    sizeBytes: attachment.sizeBytes,
                    limitBytes: maxAttachmentBytes
                )
            )
        }
        return nil
    }
}
