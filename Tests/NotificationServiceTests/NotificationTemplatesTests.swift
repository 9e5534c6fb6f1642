import Foundation
import NotificationService
import RefundMeshAPI
import Testing

/// Every event kind has its own text in Chinese and English for every channel (R-N1, R-N2).
@Suite("notification templates")
struct NotificationTemplatesTests {
    let templates = NotificationTemplates()

    @Test("the kinds are found by iterating the schema, not listed by hand")
    func kindsAreIterated() {
        let kinds = NotificationTemplates.knownKinds
        #expect(kinds.count >= 11)
        #expect(kinds.first == .received)
        #expect(Set(kinds.map(\.rawValue)).count == kinds.count)
    }

    @Test(
        "every kind × language × channel renders its own, complete text",
        arguments: NotificationTemplates.Language.allCases
    )
    func everyKind(language: NotificationTemplates.Language) throws {
        var titles: Set<String> = []
        for kind in NotificationTemplates.knownKinds {
            let event = refundEvent("k-\(kind.rawValue)", kind: kind)
            let (title, body) = templates.render(event, in: language)
            #expect(title != NotificationTemplates.genericTitle(language), "kind \(kind) has no template of its own")
            #expect(!body.isEmpty && body.contains(event.refundID), "kind \(kind): \(body)")
            titles.insert(title)

            let other: NotificationTemplates.Language = language == .zhCN ? .en : .zhCN
            #expect(templates.render(event, in: other).title != title, "kind \(kind) differs between zh-CN and en")
            if language == .zhCN {
                #expect(title.unicodeScalars.contains { $0.value >= 0x4E00 }, "Chinese title for \(kind)")
            } else {
                #expect(title.allSatisfy { $0.isASCII }, "English title for \(kind)")
            }

            let sms = templates.render(event, for: .sms, in: language)
            #expect(!sms.text.isEmpty && sms.text.count <= NotificationTemplates.smsLimit(language))

            let email = templates.render(event, for: .email, in: language)
            #expect(email.subject.contains(title) && email.subject.contains(event.refundID))
            #expect(email.text.contains(body) && email.text.contains(event.eventID))

            let webhook = templates.render(event, for: .webhook, in: language)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(webhook.json.utf8)) as? [String: Any])
            #expect(json["id"] as? String == event.eventID)
            let type = try #require(json["type"] as? String)
            #expect(type.hasPrefix("refund.") && !type.contains("kind_"), "kind \(kind) has a webhook type: \(type)")
            #expect((json["text"] as? [String: Any])?["title"] as? String == title)
            #expect((json["data"] as? [String: Any])?["amount_fen"] as? Int == 12_345)
            #expect(json["locale"] as? String == language.rawValue)
        }
        #expect(titles.count == NotificationTemplates.knownKinds.count, "no two kinds share a title")
    }

    @Test("a rejection names the rule and the reason, in both languages (R-N1)")
    func rejectionHasRuleAndReason() {
        var event = refundEvent("r", kind: .rejected)
        event.rule = "R-A3"
        event.reason = "card key already activated"
        for language in NotificationTemplates.Language.allCases {
            let body = templates.render(event, in: language).body
            #expect(body.contains("R-A3") && body.contains("card key already activated"))
            #expect(templates.sms(event, in: language).contains("R-A3"))
        }
    }

    @Test("a kind from a newer sender still shows its reason (payment alerts, reversals)")
    func unknownKind() {
        var event = refundEvent("x", kind: .unrecognized(99))
        event.reason = "the bank returned the refund"
        event.rule = "R-C8"
        let (title, body) = templates.render(event, in: .en)
        #expect(title == NotificationTemplates.genericTitle(.en))
        #expect(body.contains("the bank returned the refund") && body.contains("R-C8"))
        #expect(NotificationTemplates.eventType(.unrecognized(99)) == "refund.kind_99")
    }

    @Test("long SMS texts are cut to one segment with an ellipsis")
    func smsLimit() {
        var event = refundEvent("long", kind: .rejected)
        event.reason = String(repeating: "材料不足", count: 40)
        let text = templates.sms(event, in: .zhCN)
        #expect(text.count == NotificationTemplates.smsLimit(.zhCN))
        #expect(text.hasSuffix("…"))
    }
}

/// payment-channel's alerts arrive as SLA escalations with rule R-C6 or R-C8 and say so.
@Suite("payment alert templates")
struct PaymentAlertTemplateTests {
    @Test(
        "stuck (R-C6) and reversed/abnormal (R-C8) alerts read as such, with the reason",
        arguments: ["R-C6", "R-C8"]
    )
    func paymentAlerts(rule: String) {
        let templates = NotificationTemplates()
        var event = refundEvent("alert", kind: .slaEscalated)
        event.rule = rule
        event.reason = "渠道退回了已到账的退款"
        var review = event
        review.rule = "R-R4"
        for language in NotificationTemplates.Language.allCases {
            let (title, body) = templates.render(event, in: language)
            #expect(title != templates.render(review, in: language).title, "\(rule) is not a review SLA breach")
            #expect(body.contains("渠道退回了已到账的退款") && body.contains(event.refundID))
        }
    }
}
