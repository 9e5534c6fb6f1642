import RefundMeshAPI
import RefundMeshRPC

/// Input checks whose failures are INVALID_ARGUMENT with a message a person can act on.
enum IntakeValidation {
    static func requireUser(_ userID: String) throws {
        guard !userID.isEmpty else { throw RPCError(code: .invalidArgument, message: "user_id is required") }
    }

    static func validate(_ order: Order) throws {
        var problems: [String] = []
        if order.orderID.isEmpty { problems.append("order_id is required") }
        if order.userID.isEmpty { problems.append("user_id is required") }
        if order.priceFen <= 0 { problems.append("price_fen must be above 0 (got \(order.priceFen))") }
        if order.paidAtMs <= 0 { problems.append("paid_at_ms must be set") }
        switch order.productKind {
        case .unspecified, .unrecognized:
            problems.append("product_kind must be CARD_KEY, DIRECT_RECHARGE, TIME_BASED or VIRTUAL_SERVICE")
        case .timeBased where order.totalDays <= 0:
            problems.append("total_days must be above 0 for a TIME_BASED product")
        default:
            break
        }
        if !problems.isEmpty {
            throw RPCError(
                code: .invalidArgument,
                message: "the order is not valid: " + problems.joined(separator: "; ")
            )
        }
    }

    static func validate(_ request: SubmitRefundRequest) throws {
        var problems: [String] = []
        if request.idempotencyKey.isEmpty {
            problems.append("idempotency_key is required (R-A8): choose one per request and reuse it on retries")
        } else if request.idempotencyKey.utf8.count > 128 {
            problems.append("idempotency_key is longer than 128 bytes")
        }
        if request.userID.isEmpty { problems.append("user_id is required") }
        if request.orderID.isEmpty { problems.append("order_id is required") }
        switch request.ground {
        case .unspecified, .unrecognized:
            problems.append(
                "ground must be NOT_USED, DUPLICATE_CHARGE, NOT_AS_DESCRIBED, DELIVERY_FAILED or PARTLY_USED (R-A2)"
            )
        default:
            break
        }
        if !problems.isEmpty {
            throw RPCError(code: .invalidArgument, message: problems.joined(separator: "; "))
        }
    }
}
