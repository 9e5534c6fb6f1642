import Foundation
import NotificationService
import RefundMeshAPI

/// E-mail (R-N2) through ``SMTPClient``: a UTF-8 plain-text message whose `Message-ID` is derived
/// from the event id (``SMTPMessage/messageID(eventID:domain:)``), so a notification sent again
/// after a lost report is recognisably the same message.
///
/// 250 after DATA is delivered; a 4xx reply, a timeout or a lost connection is retried; a 5xx
/// reply (the server refuses the sender, recipient or message for good) goes to the dead letters.
public struct SMTPChannel: DeliveryChannel {
    public let client: SMTPClient
    /// The envelope sender and `From:` address.
    public let from: String
    /// The clock, in Unix milliseconds (the `Date:` header).
    public let now: @Sendable () -> Int64

    public var kind: Delivery.Channel { .email }

    public init(client: SMTPClient, from: String, now: @escaping @Sendable () -> Int64) {
        self.client = client
        self.from = from
        self.now = now
    }

    /// The message for `notification`.
    public func message(for notification: OutgoingNotification) -> SMTPMessage {
        let domain = from.split(separator: "@").last.map(String.init) ?? "refundmesh.local"
        return SMTPMessage(
            from: "RefundMesh <\(from)>",
            to: notification.destination,
            subject: notification.subject,
            body: notification.text,
            messageID: SMTPMessage.messageID(eventID: notification.eventID, domain: domain),
            date: Date(timeIntervalSince1970: Double(now()) / 1000),
            extraHeaders: [
                ("X-RefundMesh-Event-Id", SMTPMessage.encodedWords(notification.eventID)),
                ("Content-Language", notification.locale),
            ]
        )
    }

    public func send(_ notification: OutgoingNotification) async -> DeliveryReport {
        do {
            let reply = try await client.send(
                from: from,
                to: [notification.destination],
                data: message(for: notification).rendered()
            )
            return .accepted(statusCode: Int32(reply.code), reply: reply.description)
        } catch let error as SMTPError {
            let code = Int32(error.reply?.code ?? 0)
            return .failed(
                statusCode: code,
                reply: error.reply?.description ?? "",
                error: error.message,
                permanent: (500...599).contains(code)
            )
        } catch {
            return .failed(error: "e-mail to \(notification.destination) failed: \(error)")
        }
    }
}
