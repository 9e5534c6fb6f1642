import Testing

@testable import PaymentChannelService

/// The provider formats the adapters read without a round trip: times and WeChat Pay's own bill
/// layout (the sandbox serves English columns; the real WeChat Pay serves these).
@Suite("Provider times and bill layouts")
struct ProviderFormatTests {
    @Test("WeChat RFC 3339, Alipay China time, UTC and milliseconds name the same instant")
    func times() {
        let instant: Int64 = 1_795_572_000_000  // 2026-11-25T02:00:00Z
        #expect(ProviderTime.milliseconds("2026-11-25T10:00:00+08:00") == instant)
        #expect(ProviderTime.milliseconds("2026-11-25 10:00:00") == instant, "Alipay: China time without a zone")
        #expect(ProviderTime.milliseconds("2026-11-25T02:00:00Z") == instant)
        #expect(ProviderTime.milliseconds("2026-11-25T02:00:00.250Z") == instant)
        #expect(ProviderTime.milliseconds("`2026-11-25 10:00:00") == instant, "WeChat bill values start with `")
        #expect(ProviderTime.milliseconds("1795572000000") == instant)
        #expect(ProviderTime.milliseconds("2026-13-25 10:00:00") == nil)
        #expect(ProviderTime.milliseconds("yesterday") == nil)
        #expect(ProviderTime.milliseconds(nil) == nil)
    }

    @Test("WeChat Pay's REFUND bill: Chinese header, backtick values in yuan, summary block ignored (R-C6, R-C8)")
    func weChatBill() throws {
        let lines = [
            "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,"
                + "微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注",
            "`2026-11-25 10:00:00,`wx0001,`1900000109,`0,`,`4200001,`order-1,`oUser,`JSAPI,`REFUND,`CMB_DEBIT,`CNY,`0.00,"
                + "`0.00,`50300001,`RM-r-1,`30.00,`0.00,`ORIGINAL,`SUCCESS,`card,`,`-0.18,`0.60%,`100.00,`30.00,`",
            "`2026-11-25 11:00:00,`wx0001,`1900000109,`0,`,`4200002,`order-2,`oUser,`JSAPI,`REFUND,`CMB_DEBIT,`CNY,`0.00,"
                + "`0.00,`50300002,`RM-r-2,`12.34,`0.00,`ORIGINAL,`PROCESSING,`card,`,`0.00,`0.60%,`50.00,`12.34,`",
            "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
            "`2,`0.00,`42.34,`0.00,`-0.18,`150.00,`42.34",
        ]
        let records = try WeChatPayChannelAdapter.billRecords(lines: lines)
        #expect(records.map(\.refundNo) == ["RM-r-1", "RM-r-2"])
        #expect(records.map(\.amountFen) == [3_000, 1_234])
        #expect(records.map(\.providerRefundID) == ["50300001", "50300002"])
        #expect(records[0].status == .succeeded(atMs: 1_795_572_000_000))
        #expect(records[1].status == .processing)
    }

    @Test("The sandbox's REFUND bill: an ABNORMAL line with a success time is a reversal (R-C8)")
    func sandboxBill() throws {
        let records = try WeChatPayChannelAdapter.billRecords(lines: [
            "success_time,out_trade_no,refund_id,out_refund_no,refund_fen,refund_status",
            "2026-11-25T10:00:00+08:00,wx-1,SBX1,RM-a,3000,SUCCESS",
            "2026-11-25T10:00:00+08:00,wx-2,SBX2,RM-b,500,ABNORMAL",
        ])
        #expect(records.count == 2)
        #expect(records[0].status == .succeeded(atMs: 1_795_572_000_000) && records[0].amountFen == 3_000)
        guard case .reversed = records[1].status else {
            Issue.record("ABNORMAL after success read as \(records[1].status)")
            return
        }
    }
}
