/// The `alipay_data_dataservice_bill_downloadurl_query_response` node.
public struct AlipayBillURLResponse: AlipayResponseNode, Hashable {
    public var code: String
    public var msg: String
    public var subCode: String?
    public var subMsg: String?
    public var billDownloadURL: String?

    public init(
        code: String = AlipayResponseStatus.Code.success,
        msg: String = "Success",
        subCode: String? = nil,
        subMsg: String? = nil,
        billDownloadURL: String? = nil
    ) {
        self.code = code
        self.msg = msg
        self.subCode = subCode
        self.subMsg = subMsg
        self.billDownloadURL = billDownloadURL
    }

    enum CodingKeys: String, CodingKey {
        case code, msg
        case subCode = "sub_code"
        case subMsg = "sub_msg"
        case billDownloadURL = "bill_download_url"
    }
}
