/// What payment-channel answers a provider's notification, in the words that provider expects
/// (transport-free, so ``ProviderNotificationReceiver`` can be tested without a server).
public struct NotificationAnswer: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// `Content-Type` of ``body`` (nil for an empty body).
    public var contentType: String?
    /// The body text.
    public var body: String
    /// Whether the notice was recorded (or had been before): the provider stops sending it.
    public var acknowledged: Bool

    public init(status: Int, contentType: String?, body: String, acknowledged: Bool) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.acknowledged = acknowledged
    }
}
