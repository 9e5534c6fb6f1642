import RefundMeshAPI

/// Whether a refund request qualifies (R-A2 … R-A6): used by intake's pre-check, which stores
/// nothing, and by its submit, which refuses what this refuses, so both always agree.
///
/// The deadline (R-A4) is the end of the N-th calendar day after the day of payment, in the
/// shop's time zone (``WorkingCalendar``, UTC+8 by default): paid on 2026-11-05 at any hour with a
/// 15-day window, requests are accepted until 2026-11-20 23:59:59.999 CST. A person can predict
/// and be told a date ("closed on 2026-11-20"), which N × 24 hours from the minute of payment would
/// not give, and the window is never shorter than N × 24 hours.
public struct EligibilityCheck: Sendable {
    public let policy: RefundPolicy

    public init(policy: RefundPolicy = .default) {
        self.policy = policy
    }

    /// R-A4: the last millisecond a request for `order` is accepted.
    public func deadline(for order: Order) -> Int64 {
        let days = policy.windowDays(for: order.productKind)
        let calendar = policy.calendar
        return calendar.endOfDay(calendar.date(at: order.paidAtMs).adding(days: Int64(days)))
    }

    /// Checks a request.
    ///
    /// The first rule that refuses decides, in this order: an unknown ground (R-A2); nothing paid
    /// (R-C5); partial use of goods that are not time-based (R-A3); the window (R-A4); validity
    /// ended before an unused or partly used claim (R-A3 — DOMAIN.md's R-P3 points to R-A6 for
    /// this, but the negative list that refuses it is R-A3); nothing left to pro-rate (R-R5);
    /// missing materials and a vague reason statement (R-A5), reported together.
    /// Platform-fault grounds are not refused for ended validity: a duplicate charge or a failed
    /// delivery is the platform's to refund whatever the goods' validity.
    ///
    /// - Parameters:
    ///   - order: the order as intake recorded it.
    ///   - ground: the user's ground.
    ///   - destination: where the user wants the money (R-C1).
    ///   - paidWith: how the order was paid, when known; an unknown method is quoted with the fee
    ///     and the slowest arrival, so the quote is never better than the outcome.
    ///   - materials: the materials at hand. The reason statement counts as present when
    ///     `reasonStatement` is not blank or a `.reasonStatement` attachment is listed.
    ///   - reasonStatement: the user's words; checked for vagueness when not blank.
    ///   - daysUsed: for a time-based product, days used when the platform knows. Without it a
    ///     "partly used" claim is estimated as the started days since payment (a started day counts
    ///     as used, so the estimate never overstates the refund) and the text says so; a "not used"
    ///     claim is taken as 0 days. A known `daysUsed > 0` on a "not used" claim makes the amount
    ///     pro-rated, as review would offer (R-R5).
    ///   - now: the moment of the request, epoch ms.
    public func evaluate(
        order: Order,
        ground: RefundGround,
        destination: Destination,
        paidWith: PaymentMethod = .unspecified,
        materials: [MaterialKind],
        reasonStatement: String,
        daysUsed: Int? = nil,
        now: Int64
    ) -> Eligibility {
        let deadlineMs = deadline(for: order)
        let deadlineText = policy.calendar.format(deadlineMs)
        let method = FeeSchedule.refundMethod(paidWith: paidWith, destination: destination)

        func answer(
            eligible: Bool,
            _ reason: RuleReason,
            amount: Int64,
            proRated: Bool,
            missing: [MaterialKind]
        )
            -> Eligibility
        {
            Eligibility(
                isEligible: eligible,
                reason: reason,
                missingMaterials: missing,
                deadlineMs: deadlineMs,
                expectedAmountFen: amount,
                isProRated: proRated,
                destination: destination == .balance ? .balance : .original,
                refundMethod: method,
                feeFen: FeeSchedule.fee(
                    amountFen: amount,
                    method: method,
                    platformFault: FeeSchedule.isPlatformFault(ground),
                    policy: policy
                ),
                expectedArrivalMs: FeeSchedule.expectedArrival(
                    method: method,
                    sentAtMs: now,
                    calendar: policy.calendar,
                    policy: policy
                ),
                arrivalDescription: policy.arrival(for: method).text,
                balanceWithdrawable: policy.balanceWithdrawable
            )
        }
        func refuse(_ rule: RuleID, _ text: LocalizedText) -> Eligibility {
            answer(eligible: false, RuleReason(rule: rule, text: text), amount: 0, proRated: false, missing: [])
        }

        switch ground {
        case .unspecified, .unrecognized: return refuse(.a2, RefundText.unknownGround)
        default: break
        }
        guard order.priceFen > 0 else { return refuse(.c5, RefundText.nothingPaid) }
        if ground == .partlyUsed && order.productKind != .timeBased {
            return refuse(.a3, RefundText.partlyUsedNotTimeBased(order.productKind))
        }
        if now > deadlineMs {
            let days = policy.windowDays(for: order.productKind)
            return refuse(.a4, RefundText.windowClosed(deadline: deadlineText, kind: order.productKind, days: days))
        }
        let claimsUnusedGoods = ground == .notUsed || ground == .partlyUsed
        if claimsUnusedGoods && order.validUntilMs != 0 && now >= order.validUntilMs {
            return refuse(.a3, RefundText.validityExpired(validUntil: policy.calendar.format(order.validUntilMs)))
        }

        // The amount at stake, and the rule that grants it.
        var amount = order.priceFen
        var proRated = false
        var granted = RuleReason(rule: .a2, text: RefundText.eligibleInFull(amountFen: amount, deadline: deadlineText))
        if order.productKind == .timeBased && claimsUnusedGoods {
            let totalDays = Int(order.totalDays)
            // A "not used" claim without a usage record is taken at its word (review checks it); a
            // "partly used" one without a record is estimated.
            let estimated = daysUsed == nil && ground == .partlyUsed
            let used = daysUsed ?? (estimated ? estimatedDaysUsed(order: order, now: now) : 0)
            if used > 0 || ground == .partlyUsed {
                if totalDays > 0 && used >= totalDays {
                    return refuse(.r5, RefundText.nothingRemains(totalDays: totalDays))
                }
                do {
                    amount = try ProRating.offer(priceFen: order.priceFen, totalDays: totalDays, daysUsed: used)
                } catch {
                    return refuse(.r5, RefundText.cannotProRate(error))
                }
                proRated = amount < order.priceFen
                granted = RuleReason(
                    rule: .r5,
                    text: RefundText.eligibleProRated(
                        amountFen: amount,
                        remainingDays: totalDays - used,
                        totalDays: totalDays,
                        estimated: estimated,
                        deadline: deadlineText
                    )
                )
            }
        }

        // R-A5: materials and the reason statement.
        let statement = reasonStatement.trimmingWhitespace()
        var atHand = Set(materials)
        if !statement.isEmpty { atHand.insert(.reasonStatement) }
        let missing = policy.requiredMaterials(for: ground).filter { !atHand.contains($0) }
        let vague = !statement.isEmpty && policy.reasonStatementCheck.isVague(statement)
        if !missing.isEmpty || vague {
            var text: LocalizedText? = missing.isEmpty ? nil : RefundText.missingMaterials(missing)
            if vague { text = text.map { $0.followed(by: RefundText.vagueReason) } ?? RefundText.vagueReason }
            return answer(
                eligible: false,
                RuleReason(rule: .a5, text: text ?? RefundText.vagueReason),
                amount: amount,
                proRated: proRated,
                missing: missing
            )
        }
        return answer(eligible: true, granted, amount: amount, proRated: proRated, missing: [])
    }

    /// Started days since payment: 0 before payment, 1 within the first 24 hours, and so on.
    private func estimatedDaysUsed(order: Order, now: Int64) -> Int {
        let elapsed = now.saturatingAdding(-order.paidAtMs)
        guard elapsed > 0 else { return 0 }
        let days = (elapsed - 1) / WorkingCalendar.millisecondsPerDay + 1
        return Int(min(days, Int64(Int32.max)))
    }
}
