import RefundMeshAPI
import RefundMeshDomain

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014):
/// a small, well-mixed generator whose output depends only on the seed.
///
/// Written out rather than taken from the standard library or Foundation so that the data set is
/// the same on every platform and toolchain: the standard library does not promise how
/// `Int.random(in:using:)` turns generator output into numbers.
struct RiskScoringRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<count` (multiply-high; the bias is below 2⁻⁴⁰ for these counts).
    mutating func below(_ count: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(count)).high)
    }

    mutating func between(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) * 0x1p-53 < probability
    }

    /// One of `choices`, each as likely as its weight.
    mutating func pick<T>(_ choices: [(T, Int)]) -> T {
        var roll = below(choices.reduce(0) { $0 + $1.1 })
        for (value, weight) in choices {
            if roll < weight { return value }
            roll -= weight
        }
        return choices[choices.count - 1].0
    }
}

/// A labelled, simulated set of refund requests for measuring risk scoring (R-R7, R-A7).
///
/// How it is built (``generate(seed:legitimate:perPattern:)``): one request per simulated user,
/// `legitimate` honest users (default 4,800) and `perPattern` abusers of each of five patterns
/// (default 240 each, 1,200 in all: 20% abuse, a platform selling virtual goods under attack; the
/// measurement also reports the false-positive rate among honest users, which does not depend on
/// that share). Every number below is an assumption about customers, fixed before measuring and
/// not fitted to the scorer; the noise is what keeps the scorer from being trivially perfect.
///
/// Prices are the denominations game cards and recharges are sold in (¥6, ¥10, ¥30, ¥50, ¥68,
/// ¥100, ¥128, ¥198, ¥328, ¥500, ¥648); each user has a usual denomination (cheap ones more
/// common), their 90-day median.
///
/// **Honest users** (label: not abuse):
/// - history: 15% no orders in 90 days, 15% 1-2 orders, 70% 3-40 orders;
/// - the refunded order: usually their own denomination or one step off; 4% a larger purchase
///   2-5 steps up (a game event) — some of those are more than 5× the median;
/// - device: 3% a new phone (refunds come within 15 days of the purchase, R-A4, so a change is
///   uncommon), 2% unknown (a customer-service form); network: 30% another IP (Wi-Fi vs mobile
///   data), 2% unknown; independent of each other, so about 1% look like a takeover;
/// - other refund requests in 30 days: 88% none, 9% one, 2.5% two, 0.5% three or four; 1% unknown;
/// - 0.3% flagged by intake for withdraw-and-resubmit (someone fumbling with materials);
/// - payments: 3% unreadable; 3% are genuine duplicate charges claimed as such (2 payments);
///   0.3% were charged twice but chose another ground;
/// - grounds: not used 55%, delivery failed 30%, partly used 7%, not as described 5%.
///
/// **Abuse patterns** (label: abuse), each with the misses a real one has (``Example/disguised``;
/// together about 11% of abuse, which caps the recall any scorer of these inputs can reach):
/// - account takeover: another device and another IP; 5% with the device id unknown and 5% with
///   a cloned device id (only the IP differs); 40% buy larger than the victim's norm;
/// - serial refunder: own device; 3-12 other refund requests in 30 days, but 12% early in the
///   spree with only 2;
/// - amount far above norm: a cheap usual denomination (¥6-¥68), then an order 5-8 steps up; but
///   8% only 2-3 steps up (a few of those still above 5×), and 6% with only 1-2 orders and 4%
///   without history, so without a norm;
/// - withdraw-resubmit: 92% flagged by intake (R-A7), 8% stayed within the limits;
/// - duplicate-payment exploitation: paid twice and claims not used or not delivered (70%), or
///   claims a duplicate charge with three payments (20%), or claims a duplicate with two (6%,
///   indistinguishable from an honest claim); 4% with payments unreadable.
///
/// Abusers otherwise behave like honest users (same network noise, histories, grounds).
enum RiskScoringDataSet {
    enum Pattern: String, CaseIterable, Sendable {
        case legitimate
        case accountTakeover = "account_takeover"
        case serialRefunder = "serial_refunder"
        case amountAboveNorm = "amount_above_norm"
        case withdrawResubmit = "withdraw_resubmit"
        case duplicatePaymentExploit = "duplicate_payment_exploit"

        var isAbuse: Bool { self != .legitimate }
    }

    struct Example: Sendable {
        var pattern: Pattern
        var inputs: RiskInputs
        /// Abuse made to look like an honest request by one of the built-in misses above (a cloned
        /// device, an early spree, a thin history, …); always false for honest users.
        var disguised = false
    }

    static let tiersFen: [Int64] = [600, 1_000, 3_000, 5_000, 6_800, 10_000, 12_800, 19_800, 32_800, 50_000, 64_800]
    /// How common each denomination is as a user's usual one.
    static let usualTierWeights = [10, 15, 20, 15, 12, 10, 8, 5, 3, 1, 1]

    static func generate(seed: UInt64, legitimate: Int = 4_800, perPattern: Int = 240) -> [Example] {
        var builder = Builder(random: RiskScoringRandom(seed: seed))
        var examples: [Example] = []
        for _ in 0..<legitimate { examples.append(builder.legitimate()) }
        for pattern in Pattern.allCases where pattern.isAbuse {
            for _ in 0..<perPattern { examples.append(builder.abuse(pattern)) }
        }
        return examples
    }

    private struct Builder {
        var random: RiskScoringRandom
        var userNumber = 0

        /// A user's profile and an ordinary request of theirs; patterns change parts of it.
        struct Draft {
            var pattern: Pattern
            var order: Order
            var usualTier: Int
            var ground: RefundGround
            var requesterDeviceID: String
            var requesterIP: String
            var payments: [CapturedPayment]?
            var otherRefunds: Int?
            var history: UserHistory
            var flagged = false
            var disguised = false

            var example: Example {
                Example(
                    pattern: pattern,
                    inputs: RiskInputs(
                        order: order,
                        ground: ground,
                        requesterDeviceID: requesterDeviceID,
                        requesterIP: requesterIP,
                        payments: payments,
                        otherRefundRequests: otherRefunds,
                        userHistory: history,
                        flaggedForReview: flagged,
                        flagReason: flagged ? "withdrawn 4 times, more than 3 (R-A7)" : ""
                    ),
                    disguised: disguised
                )
            }

            mutating func setPrice(tier: Int) {
                let price = RiskScoringDataSet.tiersFen[min(max(tier, 0), RiskScoringDataSet.tiersFen.count - 1)]
                order.priceFen = price
                payments = payments?.map { payment in
                    var changed = payment
                    changed.amountFen = price
                    return changed
                }
            }
        }

        mutating func ip() -> String {
            "\(random.between(1...223)).\(random.below(256)).\(random.below(256)).\(random.between(1...254))"
        }

        mutating func payment(_ order: Order, _ number: Int) -> CapturedPayment {
            CapturedPayment(
                paymentID: "\(order.orderID)-p\(number)",
                orderID: order.orderID,
                userID: order.userID,
                method: number == 1 ? .wechatPay : .alipay,
                amountFen: order.priceFen,
                capturedAtMs: order.paidAtMs + Int64(number - 1) * 1_000
            )
        }

        mutating func draft(_ pattern: Pattern) -> Draft {
            userNumber += 1
            let user = "u-\(userNumber)"
            let usualTier = random.pick(Array(zip(0..., RiskScoringDataSet.usualTierWeights)))
            let ordersBefore: Int = random.pick([(0, 15), (random.between(1...2), 15), (random.between(3...40), 70)])
            let history = UserHistory(
                orders90d: UInt32(ordersBefore),
                medianOrderFen90d: ordersBefore == 0 ? 0 : RiskScoringDataSet.tiersFen[usualTier]
            )
            var order = Order(
                orderID: "o-\(userNumber)",
                userID: user,
                productKind: random.pick([(.cardKey, 50), (.directRecharge, 35), (.timeBased, 15)]),
                paidAtMs: 1_790_000_000_000 + Int64(userNumber) * 60_000,
                buyerDeviceID: "d-\(userNumber)-a",
                buyerIP: ip()
            )
            let offset = random.pick([(-1, 20), (0, 60), (1, 20)])
            order.priceFen = RiskScoringDataSet.tiersFen[min(max(usualTier + offset, 0), 10)]

            let device: String = random.pick([
                (order.buyerDeviceID, 95), ("d-\(userNumber)-b", 3), ("", 2),
            ])
            let network: String = random.pick([(order.buyerIP, 68), (ip(), 30), ("", 2)])
            let others: Int? = random.pick([(0, 880), (1, 90), (2, 25), (random.between(3...4), 5)])
            var draft = Draft(
                pattern: pattern,
                order: order,
                usualTier: usualTier,
                ground: random.pick([(.notUsed, 55), (.deliveryFailed, 30), (.partlyUsed, 7), (.notAsDescribed, 5)]),
                requesterDeviceID: device,
                requesterIP: network,
                payments: nil,
                otherRefunds: random.chance(0.01) ? nil : others,
                history: history
            )
            draft.payments = random.chance(0.03) ? nil : [payment(order, 1)]
            return draft
        }

        mutating func legitimate() -> Example {
            var draft = draft(.legitimate)
            if draft.history.orders90d > 0 && random.chance(0.04) {
                draft.setPrice(tier: draft.usualTier + random.between(2...5))  // a larger purchase
            }
            if random.chance(0.003) { draft.flagged = true }
            if draft.payments != nil {
                if random.chance(0.03) {
                    draft.ground = .duplicateCharge
                    draft.payments = [payment(draft.order, 1), payment(draft.order, 2)]
                } else if random.chance(0.003) {
                    draft.payments = [payment(draft.order, 1), payment(draft.order, 2)]
                }
            }
            return draft.example
        }

        mutating func abuse(_ pattern: Pattern) -> Example {
            var draft = draft(pattern)
            switch pattern {
            case .legitimate:
                break
            case .accountTakeover:
                let device: String = random.pick([
                    ("atk-\(userNumber)", 90), ("", 5), (draft.order.buyerDeviceID, 5),
                ])
                draft.requesterDeviceID = device
                draft.requesterIP = ip()
                draft.disguised = device.isEmpty || device == draft.order.buyerDeviceID
                if random.chance(0.4) { draft.setPrice(tier: draft.usualTier + random.between(1...5)) }
            case .serialRefunder:
                draft.disguised = random.chance(0.12)
                draft.otherRefunds = draft.disguised ? 2 : random.between(3...12)
            case .amountAboveNorm:
                let orders: Int = random.pick([(random.between(3...40), 90), (random.between(1...2), 6), (0, 4)])
                let usual = min(draft.usualTier, 4)  // the pattern: a cheap norm, then a large order
                draft.usualTier = usual
                draft.history = UserHistory(
                    orders90d: UInt32(orders),
                    medianOrderFen90d: orders == 0 ? 0 : RiskScoringDataSet.tiersFen[usual]
                )
                let modest = random.chance(0.08)
                draft.setPrice(tier: usual + (modest ? random.between(2...3) : random.between(5...8)))
                draft.disguised = orders < 3 || modest
            case .withdrawResubmit:
                draft.flagged = random.chance(0.92)
                draft.disguised = !draft.flagged
            case .duplicatePaymentExploit:
                let twice = [payment(draft.order, 1), payment(draft.order, 2)]
                let variant: Int = random.pick([(0, 70), (1, 20), (2, 6), (3, 4)])
                switch variant {
                case 0:
                    draft.ground = random.pick([(.notUsed, 60), (.deliveryFailed, 40)])
                    draft.payments = twice
                case 1:
                    draft.ground = .duplicateCharge
                    draft.payments = twice + [payment(draft.order, 3)]
                case 2:
                    draft.ground = .duplicateCharge
                    draft.payments = twice
                default:
                    draft.ground = .notUsed
                    draft.payments = nil
                }
                draft.disguised = variant >= 2
            }
            return draft.example
        }
    }
}
