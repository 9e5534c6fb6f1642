// Hand-written additions to the generated refund types. Everything else in this module is
// generated from proto/refundmesh/{refund,intake,review,payment,notification} by
// scripts/generate-protos.sh.

extension RefundState {
    /// No further change is expected: the money arrived, or the refund ended without money.
    public var isFinal: Bool {
        switch self {
        case .moneyArrived, .rejected, .withdrawn, .offerDeclined, .failed: true
        default: false
        }
    }

    /// Orders states along application → review → processing → arrival, so that updates which
    /// arrive out of order (from review's and payment-channel's separate outboxes) can be placed.
    public var rank: Int {
        switch self {
        case .unspecified, .unrecognized: 0
        case .received: 1
        case .underReview: 2
        case .awaitingMaterials: 3
        case .offered: 4
        case .approved: 5
        // R-C8: money taken back after arrival; sent again or credited to the balance next, so
        // it ranks below MONEY_SENT and those move it forward.
        case .moneyReversed: 5
        case .moneySent: 6
        case .moneyArrived: 7
        case .rejected, .withdrawn, .offerDeclined, .failed: 8
        }
    }
}
