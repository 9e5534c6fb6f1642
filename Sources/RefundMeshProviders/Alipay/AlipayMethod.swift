/// The API method names.
public enum AlipayMethod {
    public static let tradeRefund = "alipay.trade.refund"
    public static let refundQuery = "alipay.trade.fastpay.refund.query"
    public static let billDownloadURL = "alipay.data.dataservice.bill.downloadurl.query"
}
