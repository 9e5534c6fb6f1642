import Testing

@testable import RefundMeshDomain

@Suite("ReasonStatementCheck (R-A5): a reason statement must be specific")
struct ReasonStatementCheckTests {
    let check = ReasonStatementCheck()

    @Test(
        "R-A5: vague statements are refused in Chinese",
        arguments: ["没用", "不想要了", "商品没用，不想要了", "申请退款！", "退款退款", "  没有用  ", "买了"]
    )
    func vagueChinese(statement: String) {
        #expect(check.isVague(statement))
    }

    @Test(
        "R-A5: vague statements are refused in English",
        arguments: [
            "didn't use it", "Don't want it", "I just don’t want it anymore.", "Refund please!!!",
            "changed my mind", "no", "bad",
        ]
    )
    func vagueEnglish(statement: String) {
        #expect(check.isVague(statement))
    }

    @Test(
        "R-A5: specific statements pass",
        arguments: [
            "充值未到账", "游戏账号 12345 的充值未到账，运营商已出具失败证明", "同一订单被重复扣款两次", "卡密未刮开，未激活",
            "recharge failed", "The card key 8812 was never redeemed; video attached.",
            "I was charged twice for order 77",
        ]
    )
    func specific(statement: String) {
        #expect(!check.isVague(statement))
    }

    @Test("R-A5: the phrases and threshold are configurable")
    func configured() {
        let strict = ReasonStatementCheck(minimumLength: 20, vaguePhrases: ["recharge failed"])
        #expect(strict.isVague("recharge failed"))
        #expect(strict.isVague("充值未到账"))
        #expect(!strict.isVague("游戏账号 12345 的充值未到账"))
    }

    @Test(
        "R-A5: removing vague phrases byte by byte gives what String.replacing gives",
        arguments: [
            "商品没用，不想要了，我要退款", "i want a refund please, didn't use it", "refund refund refundrefund",
            "点卡 123 未到账 refund please 退款退钱", "no reason", "", "没", "the code was never delivered",
            "ünused unused Ünused", "退款😀退款", "money back money backmoney back",
        ]
    )
    func byteRemovalMatchesStringReplacing(statement: String) {
        let text = statement.lowercased()
        var expected = text
        for phrase in check.vaguePhrases { expected = expected.replacing(phrase, with: " ") }
        #expect(ReasonStatementCheck.removing(check.vaguePhrases, from: text) == expected)
    }
}
