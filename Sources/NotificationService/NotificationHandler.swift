import RefundMeshAPI
import RefundMeshHosting
import RefundMeshRPC

/// `refundmesh.notification.v1.Notification`: receives refund events, renders them (R-N2) and
/// keeps them in the user's inbox, once per event id (R-N3), with one delivery per channel the
/// user enabled (``DeliveryStore``), which ``DeliveryWorker`` sends.
public struct NotificationHandler: Notification.ServiceProtocol {
    public let inbox: InboxStore
    public let feed: InboxFeed
    public let templates: NotificationTemplates
    /// Whether webhook URLs may be plain http:// beyond loopback (`NOTIFY_WEBHOOK_ALLOW_HTTP`).
    public let webhookAllowsHTTP: Bool
    /// The clock, in Unix milliseconds (tests may fix it).
    public let now: @Sendable () -> Int64

    public var deliveries: DeliveryStore { DeliveryStore(store: inbox.store) }

    public init(
        inbox: InboxStore,
        feed: InboxFeed = InboxFeed(),
        templates: NotificationTemplates = NotificationTemplates(),
        webhookAllowsHTTP: Bool = false,
        now: @escaping @Sendable () -> Int64 = { UnixTime.nowMilliseconds() }
    ) {
        self.inbox = inbox
        self.feed = feed
        self.templates = templates
        self.webhookAllowsHTTP = webhookAllowsHTTP
        self.now = now
    }

    /// Stores the event in the inbox and its deliveries in one transaction; a redelivered event
    /// changes nothing (R-N3). The user's locale preference, when set, wins over the event's.
    public func publish(_ request: RefundEvent, context: ServerContext) async throws -> Ack {
        try Self.validate(request)
        let nowMs = now()
        let templates = templates
        let (item, isNew, queued) = try await inbox.store.write { db in
            let preferences = try PreferenceStore.fetch(db, userID: request.userID)
            let preferred = preferences?.locale ?? ""
            let language = NotificationTemplates.Language(locale: preferred.isEmpty ? request.locale : preferred)
            let (title, body) = templates.render(request, in: language)
            let item = InboxItem(
                itemID: InboxStore.itemID(forEvent: request.eventID),
                eventID: request.eventID,
                refundID: request.refundID,
                kind: request.kind,
                title: title,
                body: body,
                locale: language.rawValue,
                createdAtMs: request.atMs > 0 ? request.atMs : nowMs,
                read: false
            )
            guard try InboxStore.insert(db, item, userID: request.userID) else { return (item, false, 0) }
            let queued = try DeliveryStore.enqueue(
                db,
                event: request,
                preferences: preferences,
                language: language,
                templates: templates,
                at: nowMs
            )
            return (item, true, queued)
        }
        if isNew {
            feed.publish(item, to: request.userID)
            context.logger.debug(
                "inbox item stored",
                metadata: [
                    "refund.id": "\(request.refundID)", "event.id": "\(request.eventID)", "deliveries": "\(queued)",
                ]
            )
        }
        return Ack(firstTime: isNew)
    }

    public func listInbox(_ request: ListInboxRequest, context: ServerContext) async throws -> ListInboxResponse {
        try Self.requireUser(request.userID)
        let limit = request.limit == 0 ? 50 : min(Int(request.limit), 500)
        let (items, unread) = try await inbox.list(userID: request.userID, unreadOnly: request.unreadOnly, limit: limit)
        return ListInboxResponse(items: items, unreadCount: UInt32(clamping: unread))
    }

    public func markRead(_ request: MarkReadRequest, context: ServerContext) async throws -> Ack {
        try Self.requireUser(request.userID)
        guard request.itemIds.count <= 500 else {
            throw RPCError(
                code: .invalidArgument,
                message: "at most 500 item ids per call; got \(request.itemIds.count)"
            )
        }
        let changed = try await inbox.markRead(userID: request.userID, itemIDs: request.itemIds, at: now())
        return Ack(firstTime: changed > 0)
    }

    public func watchInbox(
        _ request: WatchInboxRequest,
        responses: MessageWriter<InboxItem>,
        context: ServerContext
    ) async throws {
        try Self.requireUser(request.userID)
        for await item in feed.subscribe(userID: request.userID) {
            try await responses.write(item)
        }
    }

    static func requireUser(_ userID: String) throws {
        guard !userID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "user_id is required")
        }
    }

    static func validate(_ event: RefundEvent) throws {
        var missing: [String] = []
        if event.eventID.isEmpty { missing.append("event_id") }
        if event.userID.isEmpty { missing.append("user_id") }
        if event.refundID.isEmpty { missing.append("refund_id") }
        if !missing.isEmpty {
            throw RPCError(code: .invalidArgument, message: "a refund event needs \(missing.joined(separator: ", "))")
        }
        switch event.kind {
        case .unspecified, .unrecognized:
            throw RPCError(
                code: .invalidArgument,
                message: "unknown event kind \(event.kind.rawValue); see refundmesh.notification.v1.RefundEvent.Kind"
            )
        default:
            break
        }
    }
}
