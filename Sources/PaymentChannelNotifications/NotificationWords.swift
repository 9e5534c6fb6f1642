import Foundation
import RefundMeshProviders

/// How one provider wants its notifications answered.
protocol NotificationWords {
    static var success: NotificationAnswer { get }
    static func failure(_ status: Int, _ code: String, _ message: String) -> NotificationAnswer
}

/// WeChat Pay v3: 200/204 on success; 4xx/5xx with `{"code","message"}` to be sent again.
enum WeChatWords: NotificationWords {
    static let success = NotificationAnswer(status: 204, contentType: nil, body: "", acknowledged: true)
    static func failure(_ status: Int, _ code: String, _ message: String) -> NotificationAnswer {
        NotificationAnswer(
            status: status,
            contentType: "application/json",
            body: jsonError(code, message),
            acknowledged: false
        )
    }
}

/// Alipay: the body text `success`, anything else (`fail`) to be sent again.
enum AlipayWords: NotificationWords {
    static let success = NotificationAnswer(
        status: 200,
        contentType: "text/plain; charset=utf-8",
        body: AlipayNotification.acknowledgement,
        acknowledged: true
    )
    static func failure(_ status: Int, _ code: String, _ message: String) -> NotificationAnswer {
        NotificationAnswer(status: 200, contentType: "text/plain; charset=utf-8", body: "fail", acknowledged: false)
    }
}

/// The bank: 200 `{"code":"SUCCESS"}`; anything else is sent again.
enum BankWords: NotificationWords {
    static let success = NotificationAnswer(
        status: 200,
        contentType: "application/json",
        body: jsonError("SUCCESS", "recorded"),
        acknowledged: true
    )
    static func failure(_ status: Int, _ code: String, _ message: String) -> NotificationAnswer {
        NotificationAnswer(
            status: status,
            contentType: "application/json",
            body: jsonError(code, message),
            acknowledged: false
        )
    }
}

/// `{"code":…,"message":…}` (the shape WeChat Pay and the bank use).
private func jsonError(_ code: String, _ message: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(ProviderErrorBody(code: code, message: message))) ?? Data()
    return String(decoding: data, as: UTF8.self)
}
