import Foundation
import RefundMeshAPI

// The same event for each outside channel (R-N2), built on the inbox's title and body so every
// channel says the same thing: a short SMS, an e-mail with a subject and the details, and a
// webhook's structured JSON with the rendered text beside it.
extension NotificationTemplates {
    /// One event rendered for one channel, stored with its delivery when the event arrives.
    public struct Rendered: Sendable, Hashable {
        /// The e-mail subject; the title for other channels.
        public var subject: String
        /// The SMS text or the e-mail body; the inbox body for webhooks.
        public var text: String
        /// The webhook's JSON body; empty for other channels.
        public var json: String

        public init(subject: String, text: String, json: String = "") {
            self.subject = subject
            self.text = text
            self.json = json
        }
    }

    /// Characters an SMS may have before it is cut with "…": one 70-character segment for
    /// Chinese (UCS-2), one 160-character segment for English (GSM 7-bit).
    public static func smsLimit(_ language: Language) -> Int { language == .zhCN ? 70 : 160 }

    /// `event` for `channel` in `language`.
    public func render(_ event: RefundEvent, for channel: Delivery.Channel, in language: Language) -> Rendered {
        switch channel {
        case .sms: Rendered(subject: render(event, in: language).title, text: sms(event, in: language))
        case .email:
            email(event, in: language)
        default:
            webhook(event, in: language)
        }
    }

    /// The SMS text: the inbox body (it names the refund and the news), cut to one segment.
    public func sms(_ event: RefundEvent, in language: Language) -> String {
        let body = render(event, in: language).body
        let limit = Self.smsLimit(language)
        guard body.count > limit else { return body }
        return String(body.prefix(limit - 1)) + "…"
    }

    /// The e-mail's subject and plain-text body: the inbox text, then every detail the event
    /// carries, then who sent it.
    public func email(_ event: RefundEvent, in language: Language) -> Rendered {
        let (title, body) = render(event, in: language)
        let zh = language == .zhCN
        var lines = [zh ? "您好，" : "Hello,", "", body, ""]
        func add(_ zhLabel: String, _ enLabel: String, _ value: String) {
            guard !value.isEmpty else { return }
            lines.append((zh ? zhLabel + "：" : enLabel + ": ") + value)
        }
        add("退款单号", "Refund", event.refundID)
        add("订单号", "Order", event.orderID)
        if event.amountFen != 0 { add("金额", "Amount", Self.yuan(event.amountFen)) }
        if event.feeFen != 0 { add("手续费", "Fee", Self.yuan(event.feeFen)) }
        add("依据规则", "Rule", event.rule)
        add("说明", "Reason", event.reason)
        if !event.materials.isEmpty {
            add(
                "所需材料",
                "Materials",
                event.materials.map { Self.name(of: $0, in: language) }.joined(separator: zh ? "、" : ", ")
            )
        }
        if event.expectedArrivalMs > 0 { add("预计到账", "Expected arrival", Self.utcTime(event.expectedArrivalMs)) }
        add("事件编号", "Event", event.eventID)
        lines += [
            "",
            zh ? "此邮件由 RefundMesh 自动发送，请勿直接回复。" : "Sent automatically by RefundMesh; please do not reply.",
        ]
        let subject = zh ? "【RefundMesh】\(title)（\(event.refundID)）" : "[RefundMesh] \(title) (\(event.refundID))"
        return Rendered(subject: subject, text: lines.joined(separator: "\n"))
    }

    /// The webhook body: the event as data (`type` like `refund.approved`, amounts in fen) and
    /// the rendered title and body, as compact JSON with sorted keys.
    public func webhook(_ event: RefundEvent, in language: Language) -> Rendered {
        let (title, body) = render(event, in: language)
        let payload = WebhookPayload(
            id: event.eventID,
            type: Self.eventType(event.kind),
            createdMs: event.atMs,
            locale: language.rawValue,
            data: WebhookPayload.Data(
                refundID: event.refundID,
                orderID: event.orderID,
                userID: event.userID,
                kind: Self.kindName(event.kind),
                amountFen: event.amountFen,
                feeFen: event.feeFen,
                rule: event.rule,
                reason: event.reason,
                materials: event.materials.map(Self.materialName),
                expectedArrivalMs: event.expectedArrivalMs
            ),
            text: WebhookPayload.Text(title: title, body: body)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Rendered(subject: title, text: body, json: json)
    }

    /// `refund.<kind>`, e.g. `refund.money_arrived`; `refund.kind_<n>` for a kind from a newer sender.
    public static func eventType(_ kind: RefundEvent.Kind) -> String { "refund." + kindName(kind) }

    /// The kind in snake case, as webhooks show it.
    public static func kindName(_ kind: RefundEvent.Kind) -> String {
        switch kind {
        case .received: "received"
        case .materialsNeeded: "materials_needed"
        case .offerMade: "offer_made"
        case .approved: "approved"
        case .rejected: "rejected"
        case .moneySent: "money_sent"
        case .moneyArrived: "money_arrived"
        case .slaEscalated: "sla_escalated"
        case .withdrawn: "withdrawn"
        case .flaggedForReview: "flagged_for_review"
        case .offerDeclined: "offer_declined"
        case .unspecified, .unrecognized: "kind_\(kind.rawValue)"
        }
    }

    /// Every kind this build knows (for tests and docs): the numbers 1, 2, … up to the first one
    /// the schema does not name.
    public static var knownKinds: [RefundEvent.Kind] {
        var kinds: [RefundEvent.Kind] = []
        for raw in Int32(1)..<1000 {
            let kind = RefundEvent.Kind(rawValue: raw)
            if kind.isUnrecognized { break }
            kinds.append(kind)
        }
        return kinds
    }

    static func materialName(_ material: MaterialKind) -> String {
        switch material {
        case .orderProof: "order_proof"
        case .paymentProof: "payment_proof"
        case .nonUseProof: "non_use_proof"
        case .reasonStatement: "reason_statement"
        case .unspecified, .unrecognized: "material_\(material.rawValue)"
        }
    }

    /// `2026-11-26 08:00 UTC`.
    static func utcTime(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

extension RefundEvent.Kind {
    var isUnrecognized: Bool {
        if case .unrecognized = self { return true }
        return false
    }
}

/// The webhook's JSON body (docs/NOTIFICATIONS.md shows an example).
struct WebhookPayload: Codable, Sendable {
    struct Data: Codable, Sendable {
        var refundID: String
        var orderID: String
        var userID: String
        var kind: String
        var amountFen: Int64
        var feeFen: Int64
        var rule: String
        var reason: String
        var materials: [String]
        var expectedArrivalMs: Int64

        enum CodingKeys: String, CodingKey {
            case refundID = "refund_id"
            case orderID = "order_id"
            case userID = "user_id"
            case kind
            case amountFen = "amount_fen"
            case feeFen = "fee_fen"
            case rule
            case reason
            case materials
            case expectedArrivalMs = "expected_arrival_ms"
        }
    }

    struct Text: Codable, Sendable {
        var title: String
        var body: String
    }

    var id: String
    var type: String
    var createdMs: Int64
    var locale: String
    var data: Data
    var text: Text

    enum CodingKeys: String, CodingKey {
        case id
        case type
        case createdMs = "created_ms"
        case locale
        case data
        case text
    }
}
