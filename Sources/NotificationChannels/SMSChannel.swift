import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NotificationService
import RefundMeshAPI

/// SMS through the provider's HTTP API (R-N2), exactly as the provider spec has it:
/// `POST {base}/sms/v1/messages` with `{"message_id","phone","text","sign_name"}` and the headers
/// `X-Sms-Account`, `X-Sms-Timestamp` (Unix seconds) and `X-Sms-Signature` (base64 HMAC-SHA256
/// with the account secret over `"<timestamp>\n<body>"`).
///
/// The message id is the event id, so a retry of a message the provider already took is answered
/// `duplicate: true` and not sent to the phone again. 200 is delivered (duplicate or not); 429
/// (one message per phone per second) and 5xx are retried, no sooner than a second later; 401
/// (bad signature: the account or secret is wrong) and other 4xx go to the dead letters.
public struct SMSChannel: DeliveryChannel {
    public let client: HTTPClient
    public let baseURL: String
    public let account: String
    public let secret: String
    public let signName: String
    public let timeout: Duration
    /// The clock, in Unix milliseconds.
    public let now: @Sendable () -> Int64

    public var kind: Delivery.Channel { .sms }

    public init(
        client: HTTPClient,
        baseURL: String,
        account: String,
        secret: String,
        signName: String,
        timeout: Duration,
        now: @escaping @Sendable () -> Int64
    ) {
        self.client = client
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.account = account
        self.secret = secret
        self.signName = signName
        self.timeout = timeout
        self.now = now
    }

    /// Reads a setting's file (the account secret, or the account): its text without surrounding
    /// whitespace, as `provider-sandbox keys` writes them.
    /// - Throws: ``NotificationConfigurationError`` naming `variable`.
    public static func text(fromFile file: String, variable: String = "NOTIFY_SMS_SECRET_FILE") throws -> String {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw NotificationConfigurationError(
                variable: variable,
                value: file,
                expected: "a readable UTF-8 file (provider-sandbox keys writes sms-account.txt and sms-secret.key)"
            )
        }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else {
            throw NotificationConfigurationError(variable: variable, value: file, expected: "a file that is not empty")
        }
        return value
    }

    /// The request body: compact JSON with sorted keys.
    static func body(messageID: String, phone: String, text: String, signName: String) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let message = ["message_id": messageID, "phone": phone, "text": text, "sign_name": signName]
        return (try? encoder.encode(message)) ?? Data()
    }

    /// The `X-Sms-Signature` value: base64 HMAC-SHA256 over `"<timestamp>\n<body>"`.
    public static func signature(secret: String, timestamp: String, body: Data) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
        mac.update(data: Data((timestamp + "\n").utf8))
        mac.update(data: body)
        return Data(mac.finalize()).base64EncodedString()
    }

    public func send(_ notification: OutgoingNotification) async -> DeliveryReport {
        let body = Self.body(
            messageID: notification.eventID,
            phone: notification.destination,
            text: notification.text,
            signName: signName
        )
        let timestamp = String(now() / 1000)
        var request = HTTPClientRequest(url: baseURL + "/sms/v1/messages")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "X-Sms-Account", value: account)
        request.headers.add(name: "X-Sms-Timestamp", value: timestamp)
        request.headers.add(
            name: "X-Sms-Signature",
            value: Self.signature(secret: secret, timestamp: timestamp, body: body)
        )
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeout.wholeMilliseconds))
            let reply = try await NotificationHTTP.text(of: response.body, timeout: timeout)
            let status = Int32(response.status.code)
            let answer = (try? JSONSerialization.jsonObject(with: Data(reply.utf8))) as? [String: Any] ?? [:]
            let code = answer["code"] as? String ?? ""
            switch response.status.code {
            case 200..<300:
                guard (answer["status"] as? String) == "ACCEPTED" else {
                    return .failed(
                        statusCode: status,
                        reply: reply,
                        error: "the SMS provider answered \(status) without status ACCEPTED; retrying"
                    )
                }
                return .accepted(statusCode: status, reply: reply)
            case 429:
                return .failed(
                    statusCode: status,
                    reply: reply,
                    error: "the SMS provider limits messages per phone (\(code.isEmpty ? "429" : code)); retrying",
                    retryAfter: max(NotificationHTTP.retryAfter(response.headers) ?? .zero, .seconds(1))
                )
            case 401:
                return .failed(
                    statusCode: status,
                    reply: reply,
                    error: "the SMS provider refused the signature (\(code)): check NOTIFY_SMS_ACCOUNT and "
                        + "NOTIFY_SMS_SECRET_FILE, then retry the dead letter",
                    permanent: true
                )
            case 500...:
                return .failed(
                    statusCode: status,
                    reply: reply,
                    error: "the SMS provider failed (\(code.isEmpty ? "HTTP \(status)" : code)); retrying",
                    retryAfter: .seconds(1)
                )
            default:
                return .failed(
                    statusCode: status,
                    reply: reply,
                    error: "the SMS provider refused the message with HTTP \(status) \(code)",
                    permanent: true
                )
            }
        } catch {
            return .failed(error: "no answer from the SMS provider at \(baseURL): \(error)", retryAfter: .seconds(1))
        }
    }
}
