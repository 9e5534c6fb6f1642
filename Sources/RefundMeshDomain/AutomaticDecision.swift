import RefundMeshAPI

/// What review decides from the records alone (R-R1, R-R2, R-R3, R-R5, R-P4), or that a person
/// must decide.
///
/// ``decide(order:ground:requestedAmountFen:facts:payments:paymentID:flag:)`` is a pure function:
/// the same inputs always give the same decision, so a decision can be recomputed and audited
/// (R-R9).
public enum AutomaticDecision: Sendable, Hashable {
    /// Approved for `amountFen`. `paymentID` names the payment to refund when the decision is
    /// about one payment (a duplicate charge, R-R3); otherwise `nil` (the order's payment).
    case approve(amountFen: Int64, paymentID: String?, reason: RuleReason)
    /// Refused by a rule; the negative list (R-A3) or a provider's confirmation.
    case reject(reason: RuleReason)
    /// A partial amount the user may accept or decline (R-R5).
    case offer(amountFen: Int64, reason: RuleReason)
    /// A person decides (manual queue); the reason says why the records did not suffice.
    case manual(reason: RuleReason)

    /// The reason of any decision.
    public var reason: RuleReason {
        switch self {
        case .approve(_, _, let reason), .reject(let reason), .offer(_, let reason), .manual(let reason): reason
        }
    }

    /// The approved or offered amount; 0 for a rejection or a manual decision.
    public var amountFen: Int64 {
        switch self {
        case .approve(let amount, _, _), .offer(let amount, _): amount
        case .reject, .manual: 0
        }
    }

    /// Decides a refund from the records.
    ///
    /// In order:
    /// 1. A request flagged for risk review (R-A7, R-R7) goes to a person.
    /// 2. A duplicate charge (R-R3, any product kind): a second captured payment is approved for its
    ///    own amount, without fee (R-C2); with `paymentID` that payment, otherwise the latest one.
    ///    With a single payment on record a person compares the user's payment proof with the
    ///    provider's records: feeds can lag, so the records' silence is not proof enough to reject.
    /// 3. Not as described (R-R3) goes to a person, as do virtual services (R-P4).
    /// 4. Card keys (R-R1): activated → rejected (negative list); not activated → approved in full.
    /// 5. Direct recharges (R-R2): failed → approved; credited → rejected; unknown → a person (the
    ///    review service asks the provider again).
    /// 6. Time-based products (R-R5): no days used → approved in full; some days used → the
    ///    pro-rated amount is offered; all days used → rejected; no usage record → a person.
    ///
    /// Amounts are the order's price (or the pro-rated share of it), lowered to
    /// `requestedAmountFen` when the user asked for less; never more than the price (R-C5; the
    /// payment-channel ledger enforces R-C5 across refunds).
    ///
    /// - Parameters:
    ///   - order: the order as intake recorded it.
    ///   - ground: the user's ground.
    ///   - requestedAmountFen: what the user asked for; ≤ 0 means the full price.
    ///   - facts: what the platform knows of the goods.
    ///   - payments: payments captured for the order (payment-channel's `CapturedPayment`).
    ///   - paymentID: for a duplicate charge, the payment the user names (`OpenCaseRequest.payment_id`).
    ///   - flag: R-A7/R-R7 reason when the request is flagged for risk review.
    public static func decide(
        order: Order,
        ground: RefundGround,
        requestedAmountFen: Int64,
        facts: FulfillmentFacts,
        payments: [CapturedPayment] = [],
        paymentID: String? = nil,
        flag: RuleReason? = nil
    ) -> AutomaticDecision {
        if let flag {
            return .manual(reason: RuleReason(rule: flag.rule, text: RefundText.flaggedForReview(flag.text)))
        }
        let full = requestedAmountFen > 0 ? min(requestedAmountFen, order.priceFen) : order.priceFen

        switch ground {
        case .unspecified, .unrecognized:
            return .reject(reason: RuleReason(rule: .a2, text: RefundText.unknownGround))
        case .duplicateCharge:
            // Payments of other orders never count; an empty order id is taken as this order's.
            let ofOrder = payments.filter { $0.orderID.isEmpty || $0.orderID == order.orderID }
            return duplicateCharge(payments: ofOrder, paymentID: paymentID)
        case .notAsDescribed:
            return .manual(reason: RuleReason(rule: .r3, text: RefundText.notAsDescribedNeedsPerson))
        case .notUsed, .deliveryFailed, .partlyUsed:
            break
        }

        switch order.productKind {
        case .virtualService:
            return .manual(reason: RuleReason(rule: .p4, text: RefundText.virtualServiceNeedsPerson))
        case .unspecified, .unrecognized:
            return .manual(reason: RuleReason(rule: .p4, text: RefundText.unknownProductKind))
        case .cardKey:
            if ground == .partlyUsed { return partlyUsedNotTimeBased(order.productKind) }
            if facts.cardKeyActivated {
                return .reject(reason: RuleReason(rule: .r1, text: RefundText.cardKeyActivated))
            }
            return .approve(
                amountFen: full,
                paymentID: nil,
                reason: RuleReason(rule: .r1, text: RefundText.cardKeyNotActivated(amountFen: full))
            )
        case .directRecharge:
            if ground == .partlyUsed { return partlyUsedNotTimeBased(order.productKind) }
            switch facts.recharge {
            case .failed:
                return .approve(
                    amountFen: full,
                    paymentID: nil,
                    reason: RuleReason(rule: .r2, text: RefundText.rechargeFailed(amountFen: full))
                )
            case .credited:
                return .reject(reason: RuleReason(rule: .r2, text: RefundText.rechargeCredited))
            case .unknown:
                return .manual(reason: RuleReason(rule: .r2, text: RefundText.rechargeUnknown))
            }
        case .timeBased:
            return timeBased(order: order, full: full, daysUsed: facts.daysUsed)
        }
    }

    private static func duplicateCharge(payments: [CapturedPayment], paymentID: String?) -> AutomaticDecision {
        guard payments.count >= 2 else {
            return .manual(reason: RuleReason(rule: .r3, text: RefundText.noSecondPayment(count: payments.count)))
        }
        let duplicate: CapturedPayment
        if let paymentID, !paymentID.isEmpty {
            guard let named = payments.first(where: { $0.paymentID == paymentID }) else {
                return .manual(reason: RuleReason(rule: .r3, text: RefundText.namedPaymentNotFound(paymentID)))
            }
            // With two or more captures one is surplus; the user may name either, since refunding one
            // of them leaves the order paid once.
            duplicate = named
        } else {
            // The latest capture is the duplicate; ties go to the larger id for determinism.
            duplicate = payments.max { ($0.capturedAtMs, $0.paymentID) < ($1.capturedAtMs, $1.paymentID) }!
        }
        guard duplicate.amountFen > 0 else {
            return .manual(reason: RuleReason(rule: .r3, text: RefundText.namedPaymentNotFound(duplicate.paymentID)))
        }
        return .approve(
            amountFen: duplicate.amountFen,
            paymentID: duplicate.paymentID,
            reason: RuleReason(
                rule: .r3,
                text: RefundText.duplicateChargeApproved(amountFen: duplicate.amountFen, paymentID: duplicate.paymentID)
            )
        )
    }

    private static func timeBased(order: Order, full: Int64, daysUsed: Int?) -> AutomaticDecision {
        guard let daysUsed else {
            return .manual(reason: RuleReason(rule: .r5, text: RefundText.noUsageRecord))
        }
        if daysUsed == 0 {
            return .approve(
                amountFen: full,
                paymentID: nil,
                reason: RuleReason(rule: .r5, text: RefundText.timeBasedUnused(amountFen: full))
            )
        }
        let totalDays = Int(order.totalDays)
        if totalDays > 0 && daysUsed >= totalDays {
            return .reject(reason: RuleReason(rule: .r5, text: RefundText.nothingRemains(totalDays: totalDays)))
        }
        do {
            let share = try ProRating.offer(priceFen: order.priceFen, totalDays: totalDays, daysUsed: daysUsed)
            let amount = min(share, full)
            return .offer(
                amountFen: amount,
                reason: RuleReason(
                    rule: .r5,
                    text: RefundText.proRatedOffer(
                        amountFen: amount,
                        remainingDays: totalDays - daysUsed,
                        totalDays: totalDays
                    )
                )
            )
        } catch {
            return .manual(reason: RuleReason(rule: .r5, text: RefundText.cannotProRate(error)))
        }
    }

    private static func partlyUsedNotTimeBased(_ kind: ProductKind) -> AutomaticDecision {
        .reject(reason: RuleReason(rule: .a3, text: RefundText.partlyUsedNotTimeBased(kind)))
    }
}
