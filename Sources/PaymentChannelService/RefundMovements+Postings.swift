/// The lines of each movement's ledger entry, in one place for the live transitions
/// (``RefundMovements``) and for migration 4, which posts the movements a recorded refund's state
/// implies: a migrated refund's books are the same as a live one's.
extension RefundMovements {
    /// `refund_expense` / `refunds_payable`: the refund is owed.
    static func owedPostings(_ refund: RefundPaymentRecord) -> [Ledger.Posting] {
        [.init(Ledger.refundExpense, refund.amountFen), .init(Ledger.refundsPayable, -refund.amountFen)]
    }

    /// The provider has the refund: `refunds_payable` is settled, the fee is kept in `fee_income`
    /// (R-C2) and the net sits in the channel's clearing account.
    static func sentPostings(_ refund: RefundPaymentRecord) -> [Ledger.Posting] {
        feeKeptPostings(refund, debit: Ledger.refundsPayable, netFrom: Ledger.clearing(refund.method))
    }

    /// The provider paid after we had recorded a failure (which undid everything): the expense is
    /// booked again, the fee kept, the net taken from the channel's settlement account.
    static func lateSuccessPostings(_ refund: RefundPaymentRecord) -> [Ledger.Posting] {
        feeKeptPostings(refund, debit: Ledger.refundExpense, netFrom: Ledger.settlement(refund.method))
    }

    /// The refund's net amount moves from `credit` to `debit` (arrival, abnormal, paid twice).
    static func netPostings(_ refund: RefundPaymentRecord, debit: String, credit: String) -> [Ledger.Posting] {
        [.init(debit, refund.netFen), .init(credit, -refund.netFen)]
    }

    private static func feeKeptPostings(
        _ refund: RefundPaymentRecord,
        debit: String,
        netFrom: String
    ) -> [Ledger.Posting] {
        [.init(debit, refund.amountFen), .init(Ledger.feeIncome, -refund.feeFen), .init(netFrom, -refund.netFen)]
    }
}
