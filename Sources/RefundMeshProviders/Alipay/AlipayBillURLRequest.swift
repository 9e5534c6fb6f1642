/// `alipay.data.dataservice.bill.downloadurl.query` biz_content.
public struct AlipayBillURLRequest: Codable, Sendable, Hashable {
    /// "trade" (or "signcustomer").
    public var billType: String
    /// `YYYY-MM-DD`.
    public var billDate: String

    public init(billType: String = "trade", billDate: String) {
        self.billType = billType
        self.billDate = billDate
    }

    enum CodingKeys: String, CodingKey {
        case billType = "bill_type"
        case billDate = "bill_date"
    }
}
