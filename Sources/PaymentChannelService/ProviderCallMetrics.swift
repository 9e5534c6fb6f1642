import CoreMetrics
import RefundMeshAPI

/// `payment_provider_calls_total{channel, operation, outcome}`: every call to a channel's
/// provider (or its simulation) by what came back — for a submission `accepted`, `refused`,
/// `rate_limited` (R-C7) or `no_answer` (retried under the same number, R-C6); for a query the
/// R-C8 status (`SUCCESS`, `PROCESSING`, …) or `no_answer`.
enum ProviderCallMetrics {
    static func record(method: PaymentMethod, operation: String, outcome: String) {
        Counter(
            label: "payment_provider_calls_total",
            dimensions: [("channel", "\(method)"), ("operation", operation), ("outcome", outcome)]
        ).increment()
    }
}

extension ChannelSubmission {
    var outcomeName: String {
        switch self {
        case .accepted: "accepted"
        case .refused: "refused"
        case .rateLimited: "rate_limited"
        }
    }
}

extension ChannelRefundStatus {
    var outcomeName: String { name }
}
