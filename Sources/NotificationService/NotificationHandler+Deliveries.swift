import RefundMeshAPI
import RefundMeshDomain
import RefundMeshRPC

// Preferences (R-N2) and the delivery log with its dead letters (R-N3).
extension NotificationHandler {
    public func setPreferences(_ request: ChannelPreferences, context: ServerContext) async throws -> ChannelPreferences
    {
        try Self.requireUser(request.userID)
        do {
            return try await PreferenceStore.save(
                request,
                in: inbox.store,
                webhookAllowsHTTP: webhookAllowsHTTP,
                at: now()
            )
        } catch let error as PreferencesError {
            throw RPCError(code: .invalidArgument, message: error.message)
        }
    }

    public func getPreferences(
        _ request: GetPreferencesRequest,
        context: ServerContext
    ) async throws
        -> ChannelPreferences
    {
        try Self.requireUser(request.userID)
        return try await PreferenceStore.load(userID: request.userID, in: inbox.store)
    }

    public func listDeliveries(
        _ request: ListDeliveriesRequest,
        context: ServerContext
    ) async throws
        -> ListDeliveriesResponse
    {
        guard !request.userID.isEmpty || !request.eventID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "give user_id or event_id to list deliveries of")
        }
        var check = InputCheck()
        check.identifier(request.userID, "user_id", required: false)
        check.identifier(request.eventID, "event_id", required: false)
        try Self.enforce(check, "the request")
        let found = try await deliveries.list(
            userID: request.userID,
            eventID: request.eventID,
            limit: Self.limit(request.limit)
        )
        return ListDeliveriesResponse(deliveries: found)
    }

    public func listDeadLetters(
        _ request: ListDeadLettersRequest,
        context: ServerContext
    ) async throws
        -> ListDeliveriesResponse
    {
        ListDeliveriesResponse(deliveries: try await deliveries.deadLetters(limit: Self.limit(request.limit)))
    }

    public func retryDeadLetter(_ request: RetryDeadLetterRequest, context: ServerContext) async throws -> Delivery {
        guard !request.deliveryID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "delivery_id is required (see ListDeadLetters)")
        }
        guard !request.operatorID.isEmpty else {
            throw RPCError(
                code: .invalidArgument,
                message: "operator_id is required: say who puts the dead letter back (R-N3)"
            )
        }
        var check = InputCheck()
        check.identifier(request.deliveryID, "delivery_id")
        check.identifier(request.operatorID, "operator_id")
        try Self.enforce(check, "the request")
        do {
            let delivery = try await deliveries.retryDeadLetter(
                request.deliveryID,
                operatorID: request.operatorID,
                at: now()
            )
            context.logger.notice(
                "dead letter put back to due",
                metadata: ["delivery.id": "\(request.deliveryID)", "operator.id": "\(request.operatorID)"]
            )
            return delivery
        } catch let error as DeliveryStoreError {
            switch error.code {
            case .notFound: throw RPCError(code: .notFound, message: error.message)
            case .notDead: throw RPCError(code: .failedPrecondition, message: error.message)
            }
        }
    }

    static func limit(_ requested: UInt32) -> Int { requested == 0 ? 50 : min(Int(requested), 500) }
}
