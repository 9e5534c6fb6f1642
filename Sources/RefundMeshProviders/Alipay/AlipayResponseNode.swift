/// The fields every Alipay response node carries: `code`, `msg`, and on failure `sub_code`, `sub_msg`.
public protocol AlipayResponseNode: Codable, Sendable {
    var code: String { get }
    var msg: String { get }
    var subCode: String? { get }
    var subMsg: String? { get }
}
