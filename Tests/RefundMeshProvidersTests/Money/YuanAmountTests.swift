import Testing

@testable import RefundMeshProviders

@Suite("Yuan ↔ fen, exactly (integer arithmetic)")
struct YuanAmountTests {
    @Test(
        "well-formed yuan strings convert to fen exactly",
        arguments: [
            ("12.34", Int64(1234)), ("12.3", 1230), ("12", 1200), ("0.01", 1), ("0.1", 10), ("0", 0), ("0.00", 0),
            ("000.50", 50), ("0.29", 29), ("1.15", 115), ("92233720368547758.07", Int64.max),
        ]
    )
    func parses(text: String, fen: Int64) throws {
        #expect(try YuanAmount.fen(fromYuan: text) == fen)
    }

    @Test(
        "malformed yuan strings are rejected with the field named",
        arguments: [
            "", ".", "1.", ".5", "1.234", "-1.00", "+1", "1e3", " 1", "1 ", "1,00", "1..2", "1.2.3", "abc", "１２",
            "92233720368547758.08", "99999999999999999999",
        ]
    )
    func rejects(text: String) {
        #expect(throws: AmountError.self) { try YuanAmount.fen(fromYuan: text, field: "refund_amount") }
        do {
            _ = try YuanAmount.fen(fromYuan: text, field: "refund_amount")
        } catch {
            #expect(error.field == "refund_amount")
            #expect(error.description.contains("refund_amount"))
        }
    }

    @Test(
        "fen are written with exactly two decimals",
        arguments: [
            (Int64(1234), "12.34"), (5, "0.05"), (10, "0.10"), (0, "0.00"), (100, "1.00"), (-250, "-2.50"),
            (Int64.max, "92233720368547758.07"),
        ]
    )
    func writes(fen: Int64, text: String) {
        #expect(YuanAmount.yuanString(fen: fen) == text)
    }

    @Test("round trip for every fen amount below ¥20 and some large ones")
    func roundTrip() throws {
        for fen in Array(Int64(0)...2000) + [123_456_789, 99_999_999_999] {
            #expect(try YuanAmount.fen(fromYuan: YuanAmount.yuanString(fen: fen)) == fen)
        }
    }
}
