import RefundMeshAPI
import RefundMeshDomain

/// Asks the game operator or service provider whether a direct recharge arrived (R-R2).
///
/// Review asks only when the fulfillment feed has no credited/failed fact for the order. An
/// answer other than credited or failed — `.unknown`, or a thrown error for a provider that is
/// down — sends the case to the manual queue, where it is asked again later.
public protocol OperatorAdapter: Sendable {
    /// The recharge's status according to the operator.
    func rechargeStatus(of order: Order) async throws -> FulfillmentFacts.RechargeStatus
}

/// An ``OperatorAdapter`` that answers the same for every order, from configuration
/// (`REVIEW_OPERATOR_SANDBOX=unknown|credited|failed`, default unknown): no real operator is
/// wired up yet.
public struct SandboxOperatorAdapter: OperatorAdapter {
    public var answer: FulfillmentFacts.RechargeStatus

    public init(answer: FulfillmentFacts.RechargeStatus = .unknown) {
        self.answer = answer
    }

    /// Reads `unknown`, `credited` or `failed` (any case); nil for anything else.
    public init?(setting: String) {
        switch setting.lowercased() {
        case "unknown": self.init(answer: .unknown)
        case "credited": self.init(answer: .credited)
        case "failed": self.init(answer: .failed)
        default: return nil
        }
    }

    public func rechargeStatus(of order: Order) async throws -> FulfillmentFacts.RechargeStatus {
        answer
    }
}
