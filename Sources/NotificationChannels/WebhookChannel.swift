import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NotificationService
import RefundMeshAPI

/// Webhooks (R-N2): POSTs the event's JSON to the user's URL, signed with the endpoint's secret
/// (``WebhookSignature``), with the event id for the receiver to drop repeats by.
///
/// 2xx is delivered; 408, 425, 429 and 5xx (or no answer) are retried, honouring a Retry-After;
/// other 4xx answers (the receiver refuses the request as such, e.g. its secret differs) go to the
/// dead letters at once, for an operator to retry once the receiver is fixed. Redirects are not
/// followed (the client is made by ``NotificationHTTP/makeClient()``).
public struct WebhookChannel: DeliveryChannel {
    public let client: HTTPClient
    public let timeout: Duration
    /// The clock, in Unix milliseconds (the signature's timestamp).
    public let now: @Sendable () -> Int64

    public var kind: Delivery.Channel { .webhook }

    public init(client: HTTPClient, timeout: Duration, now: @escaping @Sendable () -> Int64) {
        self.client = client
        self.timeout = timeout
        self.now = now
    }

    public func send(_ notification: OutgoingNotification) async -> DeliveryReport {
        let body = Data(notification.json.utf8)
        let timestamp = now() / 1000
        var request = HTTPClientRequest(url: notification.destination)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.headers.add(name: "User-Agent", value: "RefundMesh-Notification/1")
        request.headers.add(name: WebhookSignature.eventIDHeader, value: notification.eventID)
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(
            name: WebhookSignature.signatureHeader,
            value: WebhookSignature.header(secret: notification.secret, timestamp: timestamp, body: body)
        )
        request.headers.add(name: WebhookSignature.attemptHeader, value: String(notification.attempt))
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeout.wholeMilliseconds))
            let reply = try await NotificationHTTP.text(of: response.body, timeout: timeout)
            let status = Int32(response.status.code)
            switch response.status.code {
            case 200..<300:
                return .accepted(statusCode: status, reply: reply)
            case 408, 425, 429, 500...:
                return .failed(
                    statusCode: status,
                    reply: reply,
                    error: "the receiver answered HTTP \(status); retrying",
                    retryAfter: NotificationHTTP.retryAfter(response.headers)
                )
            default:
                return .failed(
                    statusCode: status,
                    reply: reply,
                    error: "the receiver refused the event with HTTP \(status) (check its URL and secret)",
                    permanent: true
                )
            }
        } catch {
            return .failed(error: "no answer from \(notification.destination): \(error)")
        }
    }
}
