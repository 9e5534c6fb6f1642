import RefundMeshAPI
import RefundMeshDomain
import RefundMeshProviders

/// An ``OperatorAdapter`` that asks the game operator over HTTP (`GET /operator/v1/recharges/{order_id}`,
/// HMAC-signed; docs/PROVIDERS.md) through ``GameOperatorClient`` (R-R2).
///
/// CREDITED → `.credited`, FAILED → `.failed`; PENDING, UNKNOWN, any new status and an order the
/// operator does not know → `.unknown` (the case waits in the manual queue and is asked again).
/// Timeouts, connection errors, 5xx, rate limits and answers that fail verification are thrown, so
/// the handler logs the operator as unavailable and retries later.
public struct HTTPOperatorAdapter: OperatorAdapter {
    public let client: GameOperatorClient

    public init(client: GameOperatorClient) {
        self.client = client
    }

    public func rechargeStatus(of order: Order) async throws -> FulfillmentFacts.RechargeStatus {
        do {
            return Self.rechargeStatus(try await client.rechargeStatus(orderID: order.orderID).status)
        } catch let error as ProviderError where error.code == .notFound {
            return .unknown
        }
    }

    /// The review's view of an operator status.
    public static func rechargeStatus(_ status: OperatorRechargeStatus) -> FulfillmentFacts.RechargeStatus {
        switch status {
        case .credited: return .credited
        case .failed: return .failed
        default: return .unknown  // PENDING, UNKNOWN, or a status we do not know yet
        }
    }
}
