import RefundMeshAPI
import RefundMeshDomain

/// Compares our refunds of one channel and day with the provider's bill for that day (R-C6):
/// every refund that moved money must be in both, once, with the same amount and state.
public struct Reconciliation: Sendable {
    /// One mismatch, with both sides as far as they exist.
    public struct Mismatch: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            /// We sent it (or think it arrived); the provider's bill does not have it.
            case missingAtProvider = "missing-at-provider"
            /// The provider's bill has a refund number we do not know.
            case missingHere = "missing-here"
            case amountDiffers = "amount-differs"
            case stateDiffers = "state-differs"
            /// The provider paid the refund twice (two money-moving lines), or paid a refund an
            /// operator had credited to the balance.
            case paidTwice = "paid-twice"
        }

        public var kind: Kind
        public var refundID: String
        public var providerRefundNo: String
        public var ourAmountFen: Int64
        public var providerAmountFen: Int64
        public var ourState: String
        public var providerState: String
        public var detail: String
    }

    public var method: PaymentMethod
    public var day: CivilDate
    public var ourRefunds: Int
    public var providerRecords: Int
    public var mismatches: [Mismatch]

    /// Compares `ours` (our refunds of `method` sent on `day`) with `bill` (the provider's lines
    /// for `day`). `lookup` finds a refund by provider number when the bill has one we did not
    /// send that day (it may have been sent late the day before).
    public init(
        method: PaymentMethod,
        day: CivilDate,
        ours: [RefundPaymentRecord],
        bill: [ProviderBillRecord],
        lookup: [String: RefundPaymentRecord]
    ) {
        self.method = method
        self.day = day
        self.ourRefunds = ours.count
        self.providerRecords = bill.count
        var mismatches: [Mismatch] = []
        let lines = Dictionary(grouping: bill, by: \.refundNo)
        for refund in ours where lines[refund.providerRefundNo] == nil {
            mismatches.append(
                Mismatch(
                    kind: .missingAtProvider,
                    refundID: refund.refundID,
                    providerRefundNo: refund.providerRefundNo,
                    ourAmountFen: refund.netFen,
                    providerAmountFen: 0,
                    ourState: "\(refund.state)",
                    providerState: "",
                    detail: "we recorded it \(refund.state); the provider's bill of \(day) does not list it"
                )
            )
        }
        for (number, records) in lines.sorted(by: { $0.key < $1.key }) {
            guard let refund = lookup[number] else {
                for record in records {
                    mismatches.append(
                        Mismatch(
                            kind: .missingHere,
                            refundID: "",
                            providerRefundNo: number,
                            ourAmountFen: 0,
                            providerAmountFen: record.amountFen,
                            ourState: "",
                            providerState: record.status.name,
                            detail: "the provider lists refund number \(number); we have no refund under it"
                        )
                    )
                }
                continue
            }
            let paid = records.filter { if case .succeeded = $0.status { true } else { false } }
            let provider = records.last!
            func mismatch(_ kind: Mismatch.Kind, _ detail: String) -> Mismatch {
                Mismatch(
                    kind: kind,
                    refundID: refund.refundID,
                    providerRefundNo: number,
                    ourAmountFen: refund.netFen,
                    providerAmountFen: provider.amountFen,
                    ourState: "\(refund.state)",
                    providerState: provider.status.name,
                    detail: detail
                )
            }
            if paid.count > 1 {
                mismatches.append(mismatch(.paidTwice, "the provider lists \(paid.count) payments under one number"))
            } else if !paid.isEmpty, refund.resolution == RefundPaymentRecord.Resolution.toBalance,
                !refund.reversedBefore
            {
                mismatches.append(
                    mismatch(.paidTwice, "the provider paid it and an operator also credited the balance")
                )
            }
            if records.contains(where: { $0.amountFen != refund.netFen }) {
                mismatches.append(
                    mismatch(
                        .amountDiffers,
                        "we asked for \(refund.netFen) fen; the provider lists \(provider.amountFen)"
                    )
                )
            }
            if !Self.agree(refund, provider.status) {
                mismatches.append(
                    mismatch(.stateDiffers, "we have \(refund.state); the provider's bill says \(provider.status.name)")
                )
            }
        }
        self.mismatches = mismatches
    }

    /// Whether our state and the provider's say the same about the money.
    static func agree(_ refund: RefundPaymentRecord, _ status: ChannelRefundStatus) -> Bool {
        switch (refund.state, status) {
        case (.arrived, .succeeded): refund.resolution != RefundPaymentRecord.Resolution.toBalance
        case (.arrived, .abnormal), (.arrived, .reversed): refund.resolution == RefundPaymentRecord.Resolution.toBalance
        case (.sent, .processing), (.pending, .processing): true
        case (.failed, .closed): true
        case (.abnormal, .abnormal): true
        case (.reversed, .reversed): true
        default: false
        }
    }
}
