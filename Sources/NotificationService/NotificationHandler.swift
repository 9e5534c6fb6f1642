import Logging
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshHosting
import RefundMeshRPC
import RefundMeshStore
import RefundMeshWire

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
        let nowMs = now()
        try Self.validate(request, now: nowMs)
        let bytes = try request.serializedBytes()
        let templates = templates
        let published = try await inbox.store.write { db in
            try Self.store(request, bytes: bytes, in: db, templates: templates, nowMs: nowMs)
        }
        announce(published, of: request, logger: context.logger)
        return Ack(firstTime: published.isNew)
    }

    /// Several Publish in one write (docs/PROTOCOL.md, "Batches"): each event is checked and
    /// stored, or refused, exactly as ``publish(_:context:)`` would do it, in the order sent.
    public func publishBatch(_ request: RefundEventBatch, context: ServerContext) async throws -> BatchAck {
        try BatchWrite.checkSize(request.items.count, field: "items")
        let nowMs = now()
        let checked = BatchWrite.check(
            request.items,
            field: "event",
            request: \.event,
            traceID: \.traceID,
            validate: { try Self.validate($0, now: nowMs) }
        )
        let templates = templates
        let outcomes = try await BatchWrite.apply(checked, in: inbox.store) { db, item in
            try Self.store(item.0, bytes: item.1, in: db, templates: templates, nowMs: nowMs)
        }
        for (item, outcome) in zip(request.items, outcomes) {
            if case .success(let published) = outcome, let event = item.event {
                announce(published, of: event, logger: context.logger)
            }
        }
        return BatchWrite.ack(outcomes) { $0.isNew }
    }

    /// What storing one event did.
    struct Published: Sendable {
        var item: InboxItem
        var isNew: Bool
        var queued: Int
    }

    /// Stores one checked event in the caller's write (R-N2, R-N3); throws an ``RPCError`` to
    /// refuse it.
    static func store(
        _ request: RefundEvent,
        bytes: [UInt8],
        in db: any SQLSession,
        templates: NotificationTemplates,
        nowMs: Int64
    ) throws -> Published {
        // Idempotent on event_id (R-N3): the same event again is shown once; the id reused
        // for another event is refused naming the fields that differ.
        switch try ProcessedEvents.claim(db, eventID: "publish:" + request.eventID, request: bytes) {
        case .first:
            break
        case .replay:
            return Published(item: InboxItem(), isNew: false, queued: 0)
        case .conflict(let stored):
            let fields = (try? RefundEvent(serializedBytes: stored)).map { FieldDifferences.between($0, request) }
            throw RPCError(
                code: .alreadyExists,
                message: "event \(request.eventID) was already published with a different "
                    + (fields ?? ["content"]).joined(separator: ", ") + "; a new event needs a new event_id"
            )
        }
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
        guard try InboxStore.insert(db, item, userID: request.userID) else {
            return Published(item: item, isNew: false, queued: 0)
        }
        let queued = try DeliveryStore.enqueue(
            db,
            event: request,
            preferences: preferences,
            language: language,
            templates: templates,
            at: nowMs
        )
        return Published(item: item, isNew: true, queued: queued)
    }

    /// Shows a newly stored item to the user's open WatchInbox streams.
    private func announce(_ published: Published, of request: RefundEvent, logger: Logger) {
        guard published.isNew else { return }
        feed.publish(published.item, to: request.userID)
        logger.debug(
            "inbox item stored",
            metadata: [
                "refund.id": "\(request.refundID)", "event.id": "\(request.eventID)",
                "deliveries": "\(published.queued)",
            ]
        )
    }

    public func listInbox(_ request: ListInboxRequest, context: ServerContext) async throws -> ListInboxResponse {
        try Self.requireUser(request.userID)
        let limit = request.limit == 0 ? 50 : min(Int(request.limit), 500)
        let (items, unread) = try await inbox.list(userID: request.userID, unreadOnly: request.unreadOnly, limit: limit)
        return ListInboxResponse(items: items, unreadCount: UInt32(clamping: unread))
    }

    public func markRead(_ request: MarkReadRequest, context: ServerContext) async throws -> Ack {
        var check = InputCheck()
        check.identifier(request.userID, "user_id")
        check.identifiers(request.itemIds, "item_ids")
        try Self.enforce(check, "the request")
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

    /// Answers an ``InputProblem`` as INVALID_ARGUMENT (docs/VALIDATION.md).
    static func enforce(_ check: InputCheck, _ subject: String) throws {
        do {
            try check.finish(subject)
        } catch {
            throw RPCError(code: .invalidArgument, message: error.message, cause: error)
        }
    }

    static func requireUser(_ userID: String) throws {
        var check = InputCheck()
        check.identifier(userID, "user_id")
        try enforce(check, "the request")
    }

    /// A refund event: ids, a known kind, amounts and times that can be, texts within limits.
    static func validate(_ event: RefundEvent, now: Int64) throws {
        var check = InputCheck()
        check.identifier(event.eventID, "event_id")
        check.identifier(event.userID, "user_id")
        check.identifier(event.refundID, "refund_id")
        check.identifier(event.orderID, "order_id", required: false)
        check.known(
            event.kind.rawValue,
            "kind",
            cases: [
                "RECEIVED", "MATERIALS_NEEDED", "OFFER_MADE", "APPROVED", "REJECTED", "MONEY_SENT", "MONEY_ARRIVED",
                "SLA_ESCALATED", "WITHDRAWN", "FLAGGED_FOR_REVIEW", "OFFER_DECLINED",
            ]
        )
        check.amount(event.amountFen, "amount_fen", allowsZero: true)
        check.amount(event.feeFen, "fee_fen", allowsZero: true)
        check.label(event.rule, "rule")
        check.text(event.reason, "reason", maxCharacters: InputLimits.maxReasonCharacters)
        check.known(event.materials, "materials")
        check.time(event.expectedArrivalMs, "expected_arrival_ms")
        check.pastTime(event.atMs, "at_ms", now: now, required: false)
        check.locale(event.locale)
        try enforce(check, "the refund event")
    }
}
