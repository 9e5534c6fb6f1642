import RefundMeshAPI
import RefundMeshDomain
import Testing

/// The shared checks of hostile input (docs/VALIDATION.md) that every service runs before it
/// stores anything.
@Suite("InputCheck: ids, text, amounts, times, enums and attachments")
struct InputCheckTests {
    static let now: Int64 = 1_796_000_000_000

    /// The problems one check finds.
    private func problems(_ body: (inout InputCheck) -> Void) -> [String] {
        var check = InputCheck()
        body(&check)
        return check.problems
    }

    @Test(
        "ids: 1-128 bytes of ASCII letters, digits and - _ . : @ / + =",
        arguments: [
            ("o-1", true), ("rf-0a1b:approved", true), ("d-1/webhook", true), ("alice@example.com", true),
            (String(repeating: "a", count: 128), true), (String(repeating: "a", count: 129), false),
            ("", false), ("o 1", false), ("o\u{0}1", false), ("o\n1", false), ("订单-1", false), ("o'; DROP", false),
            ("../etc/passwd", false), ("a..b", false),
        ]
    )
    func identifiers(id: String, accepted: Bool) {
        let found = problems { $0.identifier(id, "order_id") }
        #expect(found.isEmpty == accepted, "\(found)")
        if !accepted { #expect(found.first?.hasPrefix("order_id") == true) }
    }

    @Test("ids: an optional empty id is fine; a control character is named by its code point")
    func identifierDetails() {
        #expect(problems { $0.identifier("", "payment_id", required: false) }.isEmpty)
        let found = problems { $0.identifier("p\u{7}", "payment_id") }
        #expect(
            found == [
                "payment_id contains U+0007 (a control character); ids are ASCII letters, digits and + - . / : = @ _"
            ]
        )
    }

    @Test("text: newlines and tabs are text; other controls, direction overrides and overlong text are not")
    func text() {
        #expect(problems { $0.text("第一行\n第二行\tend\r\n", "reason_statement") }.isEmpty)
        #expect(problems { $0.text(String(repeating: "好", count: 2_000), "reason_statement") }.isEmpty)
        let long = problems { $0.text(String(repeating: "好", count: 2_001), "reason_statement") }
        #expect(long == ["reason_statement is 2001 characters long; at most 2000 are accepted"])
        // Combining marks count: a "character" with a thousand accents is a thousand characters.
        let stretched = "e" + String(repeating: "\u{301}", count: 2_000)
        #expect(!problems { $0.text(stretched, "note") }.isEmpty)
        #expect(problems { $0.text("bell\u{7}", "note") }.first?.contains("U+0007") == true)
        #expect(problems { $0.text("invoice\u{202E}fdp.exe", "note") }.first?.contains("direction") == true)
        #expect(problems { $0.text("  \n", "note", required: true) } == ["note is required"])
        #expect(problems { $0.label("two\nlines", "sku") }.first?.contains("one line") == true)
    }

    @Test(
        "amounts: not negative, above 0 where required, not above ¥100,000,000.00",
        arguments: [
            (Int64(1), false, true), (0, true, true), (0, false, false), (-1, true, false), (.min, true, false),
            (10_000_000_000, false, true), (10_000_000_001, false, false), (.max, false, false),
        ]
    )
    func amounts(fen: Int64, allowsZero: Bool, accepted: Bool) {
        let found = problems { $0.amount(fen, "price_fen", allowsZero: allowsZero) }
        #expect(found.isEmpty == accepted, "\(found)")
    }

    @Test("times of the past: required, after 2000-01-01, at most 5 minutes ahead of the clock")
    func pastTimes() {
        let now = Self.now
        #expect(problems { $0.pastTime(now, "paid_at_ms", now: now) }.isEmpty)
        #expect(problems { $0.pastTime(now + 5 * 60_000, "paid_at_ms", now: now) }.isEmpty, "clock skew")
        let future = problems { $0.pastTime(now + 5 * 60_000 + 1, "paid_at_ms", now: now) }
        #expect(future.count == 1 && future[0].contains("in the future"))
        #expect(future[0].contains("2026-11-30T"), "the times are shown for a person: \(future)")
        #expect(problems { $0.pastTime(.max, "paid_at_ms", now: now) }.first?.contains("future") == true)
        #expect(problems { $0.pastTime(1_796_000_000, "paid_at_ms", now: now) }.first?.contains("2000-01-01") == true)
        #expect(problems { $0.pastTime(-1, "paid_at_ms", now: now) }.count == 1)
        #expect(problems { $0.pastTime(0, "paid_at_ms", now: now) }.first?.contains("required") == true)
        #expect(problems { $0.pastTime(0, "at_ms", now: now, required: false) }.isEmpty)
        // Any time (validity ends): up to 9999-12-31.
        #expect(problems { $0.time(4_102_444_800_000, "valid_until_ms") }.isEmpty)
        #expect(problems { $0.time(.max, "valid_until_ms") }.first?.contains("9999") == true)
    }

    @Test("enums: numbers this schema does not name are refused with the names it does")
    func enums() {
        #expect(problems { $0.known(RefundGround.notUsed, "ground") }.isEmpty)
        #expect(
            problems { $0.known(RefundGround(rawValue: 99), "ground") } == [
                "ground 99 is not a known value; use one of NOT_USED, DUPLICATE_CHARGE, NOT_AS_DESCRIBED,"
                    + " DELIVERY_FAILED, PARTLY_USED"
            ]
        )
        #expect(problems { $0.known(RefundGround.unspecified, "ground") }.first?.contains("is required") == true)
        #expect(problems { $0.known(Destination.unspecified, "destination") }.isEmpty, "unspecified: the original way")
        #expect(problems { $0.known(Destination(rawValue: -3), "destination") }.count == 1)
        #expect(problems { $0.known([MaterialKind.orderProof, MaterialKind(rawValue: 7)], "materials") }.count == 1)
        #expect(problems { $0.known(PaymentMethod(rawValue: 5), "method") }.count == 1)
    }

    @Test("file names: a name, not a path; no controls; at most 255 bytes")
    func fileNames() {
        for good in ["order.png", "支付截图 1.png", "a.b.c.pdf"] {
            #expect(problems { $0.fileName(good, "file_name") }.isEmpty, "\(good)")
        }
        for bad in [
            "../../etc/passwd", "..", ".htaccess", "a/b.png", "a\\b.png", "a\u{0}.png", "", "  ",
            "photo\u{202E}gnp.exe", String(repeating: "a", count: 252) + ".png",
        ] {
            #expect(problems { $0.fileName(bad, "file_name") }.count == 1, "\(bad)")
        }
    }

    @Test("content types: an allowed media type that agrees with the file name")
    func contentTypes() {
        #expect(problems { $0.contentType("image/png", fileName: "a.png", "content_type") }.isEmpty)
        #expect(problems { $0.contentType("IMAGE/JPEG", fileName: "a.JPG", "content_type") }.isEmpty)
        #expect(problems { $0.contentType("text/plain; charset=utf-8", fileName: "a.txt", "content_type") }.isEmpty)
        #expect(problems { $0.contentType("application/octet-stream", fileName: "x.bin", "content_type") }.isEmpty)
        #expect(problems { $0.contentType("image/png", fileName: "no-extension", "content_type") }.isEmpty)
        let html = problems { $0.contentType("text/html", fileName: "a.html", "content_type") }
        #expect(html.first?.contains("is not accepted") == true)
        #expect(problems { $0.contentType("image/svg+xml", fileName: "a.svg", "content_type") }.count == 1)
        let mismatch = problems { $0.contentType("image/png", fileName: "run.exe", "content_type") }
        #expect(mismatch.first?.contains(".exe") == true)
        #expect(problems { $0.contentType("", fileName: "a.png", "content_type") }.count == 1)
        #expect(problems { $0.contentType("image/png\r\nX: y", fileName: "a.png", "content_type") }.count == 1)
    }

    @Test("attachments: kind, name, type and some bytes, each problem with its index")
    func attachments() {
        let good = Attachment(kind: .orderProof, fileName: "o.png", contentType: "image/png", content: [1])
        #expect(problems { $0.attachments([good]) }.isEmpty)
        let bad = [
            good,
            Attachment(kind: MaterialKind(rawValue: 42), fileName: "../o.png", contentType: "text/html", content: []),
        ]
        let found = problems { $0.attachments(bad) }
        #expect(found.count == 4, "\(found)")
        #expect(found.allSatisfy { $0.hasPrefix("attachments[1].") })
    }

    @Test("an order: every field at once, named with its prefix")
    func order() {
        let good = Order(
            orderID: "o-1",
            userID: "u-1",
            productKind: .timeBased,
            priceFen: 3000,
            paidAtMs: Self.now - 1000,
            totalDays: 30
        )
        #expect(problems { $0.order(good, now: Self.now) }.isEmpty)
        var bad = good
        bad.priceFen = -5
        bad.paidAtMs = Self.now + 86_400_000
        bad.productKind = ProductKind(rawValue: 9)
        bad.sku = "x\u{0}"
        let found = problems { $0.order(bad, now: Self.now) }
        #expect(found.count == 4, "\(found)")
        #expect(found.allSatisfy { $0.hasPrefix("order.") })
    }

    @Test("finish throws every problem in one InputProblem, or nothing")
    func finish() throws {
        try InputCheck().finish("nothing")
        var check = InputCheck()
        check.identifier("", "user_id")
        check.amount(-1, "amount_fen")
        let problem = #expect(throws: InputProblem.self) { try check.finish("the request") }
        #expect(problem?.code == .invalidField)
        #expect(
            problem?.message
                == "the request is not valid: user_id is required; amount_fen must not be negative (got -1 fen)"
        )
    }
}

@Suite("FieldDifferences: what a replay under a reused key changed")
struct FieldDifferencesTests {
    @Test("names the differing fields by their proto names, in declaration order")
    func differences() {
        let stored = DecideCaseRequest(decisionID: "d-1", refundID: "r-1", action: .approveFull, note: "ok")
        var given = stored
        given.amountFen = 5
        given.action = .approvePartial
        #expect(FieldDifferences.between(stored, given) == ["action", "amount_fen"])
        #expect(FieldDifferences.between(stored, stored).isEmpty)
        var request = SubmitRefundRequest(idempotencyKey: "k", userID: "u", requesterIP: "10.0.0.1")
        let other = request
        request.requesterIP = "10.0.0.2"
        #expect(FieldDifferences.between(other, request) == ["requester_ip"])
        #expect(FieldDifferences.between(other, request, ignoring: ["requester_ip"]).isEmpty)
    }

    @Test("Swift property names become proto field names")
    func protoNames() {
        #expect(FieldDifferences.protoName("amountFen") == "amount_fen")
        #expect(FieldDifferences.protoName("userID") == "user_id")
        #expect(FieldDifferences.protoName("requesterIP") == "requester_ip")
        #expect(FieldDifferences.protoName("itemIds") == "item_ids")
        #expect(FieldDifferences.protoName("sha256Hex") == "sha256_hex")
        #expect(FieldDifferences.protoName("order") == "order")
    }
}

@Suite("RefundCeiling (R-C5): never more than was captured, without overflow")
struct RefundCeilingTests {
    @Test("what remains, and whether an amount fits in it")
    func remaining() {
        #expect(RefundCeiling.remainingFen(capturedFen: 10_000, refundedFen: 4_000) == 6_000)
        #expect(RefundCeiling.allows(6_000, capturedFen: 10_000, refundedFen: 4_000))
        #expect(!RefundCeiling.allows(6_001, capturedFen: 10_000, refundedFen: 4_000))
        #expect(!RefundCeiling.allows(-1, capturedFen: 10_000, refundedFen: 0))
        #expect(RefundCeiling.remainingFen(capturedFen: 100, refundedFen: 500) == 0, "never negative")
    }

    @Test("Int64.max asked after a partial refund is refused instead of wrapping (or trapping)")
    func noOverflow() {
        // refunded + amount would overflow: 1 + Int64.max.
        #expect(!RefundCeiling.allows(.max, capturedFen: 10_000, refundedFen: 1))
        #expect(!RefundCeiling.allows(.max, capturedFen: .max, refundedFen: 1))
        #expect(RefundCeiling.allows(.max - 1, capturedFen: .max, refundedFen: 1))
        #expect(RefundCeiling.remainingFen(capturedFen: .max, refundedFen: .min) == .max)
    }
}
