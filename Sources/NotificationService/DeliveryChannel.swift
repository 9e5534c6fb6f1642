import RefundMeshAPI

/// One way out to the user besides the inbox (R-N2): webhook, e-mail, SMS. The delivery worker
/// (``DeliveryWorker``) calls ``send(_:)`` for each due delivery and records the report; the
/// implementations live in the NotificationChannels module (NIO and HTTP stay out of this one).
///
/// A channel must let the receiver drop a repeat: a send can succeed and its report be lost (a
/// crash before the outcome is recorded), and then the delivery is sent again (at least once,
/// R-N3). Each channel carries the event id for that: the webhook's `RefundMesh-Event-Id`
/// header, the e-mail's `Message-ID`, the SMS provider's `message_id`.
public protocol DeliveryChannel: Sendable {
    /// Which channel this is.
    var kind: Delivery.Channel { get }

    /// Sends one notification; never throws: every failure is a report.
    func send(_ notification: OutgoingNotification) async -> DeliveryReport
}

/// A delivery as a channel sends it: the rendered content, the destination and the attempt.
public struct OutgoingNotification: Sendable, Hashable {
    public var deliveryID: String
    public var eventID: String
    public var userID: String
    public var channel: Delivery.Channel
    /// Phone (E.164), e-mail address or webhook URL.
    public var destination: String
    /// The webhook's signing secret; empty for other channels.
    public var secret: String
    /// "zh-CN" or "en".
    public var locale: String
    /// E-mail subject (or the title).
    public var subject: String
    /// SMS text or e-mail body.
    public var text: String
    /// The webhook's JSON body.
    public var json: String
    /// 1 for the first attempt.
    public var attempt: Int

    public init(
        deliveryID: String,
        eventID: String,
        userID: String,
        channel: Delivery.Channel,
        destination: String,
        secret: String = "",
        locale: String,
        subject: String,
        text: String,
        json: String = "",
        attempt: Int = 1
    ) {
        self.deliveryID = deliveryID
        self.eventID = eventID
        self.userID = userID
        self.channel = channel
        self.destination = destination
        self.secret = secret
        self.locale = locale
        self.subject = subject
        self.text = text
        self.json = json
        self.attempt = attempt
    }
}

/// What one attempt came to, as the delivery log keeps it.
public struct DeliveryReport: Sendable, Hashable {
    /// The channel took it (HTTP 2xx, SMTP 250 after DATA, SMS ACCEPTED).
    public var accepted: Bool
    /// Retrying cannot help (e.g. SMTP 5xx, HTTP 4xx other than 408/429, a channel that is off):
    /// the delivery goes to the dead letters now.
    public var permanent: Bool
    /// HTTP status or SMTP reply code; 0 without an answer.
    public var statusCode: Int32
    /// The answer's text (shortened).
    public var reply: String
    /// What went wrong, for a person.
    public var error: String
    /// The earliest next attempt the receiver asked for (e.g. a 429's Retry-After or the SMS
    /// provider's one message per phone per second).
    public var retryAfter: Duration?

    /// The channel accepted it.
    public static func accepted(statusCode: Int32, reply: String) -> DeliveryReport {
        DeliveryReport(accepted: true, permanent: false, statusCode: statusCode, reply: reply, error: "")
    }

    /// It failed; `permanent` when retrying cannot help.
    public static func failed(
        statusCode: Int32 = 0,
        reply: String = "",
        error: String,
        permanent: Bool = false,
        retryAfter: Duration? = nil
    ) -> DeliveryReport {
        DeliveryReport(
            accepted: false,
            permanent: permanent,
            statusCode: statusCode,
            reply: reply,
            error: error,
            retryAfter: retryAfter
        )
    }

    public init(
        accepted: Bool,
        permanent: Bool,
        statusCode: Int32,
        reply: String,
        error: String,
        retryAfter: Duration? = nil
    ) {
        self.accepted = accepted
        self.permanent = permanent
        self.statusCode = statusCode
        self.reply = String(reply.prefix(500))
        self.error = String(error.prefix(500))
        self.retryAfter = retryAfter
    }
}
