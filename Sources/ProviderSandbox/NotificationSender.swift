import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RefundMeshStore
import ServiceLifecycle

/// Builds the HTTP request of one notification in a provider's wire shape.
typealias NotificationRequestBuilder = @Sendable (ProviderRefund, NotificationOrder, String) throws -> HTTPClientRequest

/// Delivers refund notifications to the merchant's notify URL (from the refund request) the
/// way a provider does: at least once, retried with growing pauses until the merchant answers
/// 2xx, given up after ``SandboxConfiguration/Notifications/maximumAttempts``.
///
/// Notifications wait in the store's outbox (written in the transaction of the state change),
/// one lane per refund, so they survive a restart and go out in order — including the scripted
/// duplicates and stale notices of R-C9. Built on ``OutboxRelay``.
public struct NotificationSender: Service {
    private let relay: OutboxRelay

    init(
        store: SandboxStore,
        configuration: SandboxConfiguration.Notifications,
        client: HTTPClient,
        build: @escaping NotificationRequestBuilder,
        logger: Logger
    ) {
        let relayConfiguration = OutboxRelay.Configuration(
            backoff: OutboxRelay.Backoff(initial: configuration.retryInitial, maximum: configuration.retryMaximum),
            pollInterval: .milliseconds(500),
            maximumConcurrentDestinations: 32,
            retention: .seconds(7 * 86_400)
        )
        let timeout = configuration.timeout
        let maximumAttempts = configuration.maximumAttempts
        relay = OutboxRelay(store: store.store, configuration: relayConfiguration, logger: logger) { message in
            let order = try JSONDecoder().decode(NotificationOrder.self, from: Data(message.payload))
            do {
                guard let refund = try await store.refund(provider: order.provider, refundNo: order.refundNo) else {
                    logger.notice(
                        "notification for an unknown refund dropped",
                        metadata: ["refund.no": "\(order.refundNo)"]
                    )
                    return
                }
                let request = try build(refund, order, message.eventID)
                let response = try await client.execute(request, timeout: .milliseconds(timeout.milliseconds))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                guard (200..<300).contains(response.status.code) else {
                    throw SandboxRequestError("the merchant answered HTTP \(response.status.code)")
                }
                try await store.recordDelivered(order)
            } catch {
                if Task.isCancelled { throw error }
                if message.attempts + 1 >= maximumAttempts {
                    logger.notice(
                        "notification given up after \(maximumAttempts) attempts",
                        metadata: ["outbox.event_id": "\(message.eventID)", "error": "\(error)"]
                    )
                    try await store.count(.notificationsAbandoned)
                    return
                }
                try await store.count(.notificationsFailed)
                throw error
            }
        }
    }

    public func run() async throws {
        try await relay.run()
    }
}
