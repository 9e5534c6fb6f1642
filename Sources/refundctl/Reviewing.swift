import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshRPC

// The reviewer's day (R-R4, R-R6, R-R8, R-R10): queue, claim, show, decide, overdue.

/// Who the reviewer is: `--reviewer` or `REFUNDCTL_REVIEWER`, sent as the `reviewer-id` metadata.
struct ReviewerIdentity: ParsableArguments {
    @Option(help: "Your reviewer id (default: $REFUNDCTL_REVIEWER).") var reviewer: String?

    func options() throws -> CallOptions {
        let id = reviewer ?? ProcessInfo.processInfo.environment["REFUNDCTL_REVIEWER"] ?? ""
        guard !id.isEmpty else {
            throw ValidationError("say who you are: --reviewer ID or REFUNDCTL_REVIEWER=ID (R-R10)")
        }
        return CallOptions(metadata: ["reviewer-id": id])
    }
}

/// `refundctl queue`: the cases waiting for a person, most urgent first.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the review queue: SLA-urgent first, then the green channel, then by due time (R-R8)."
    )

    @OptionGroup var mesh: MeshAddresses
    @OptionGroup var identity: ReviewerIdentity
    @Option(help: "At most this many.") var limit: UInt32 = 50
    @Flag(help: "Also list cases waiting for the user's materials.") var all = false

    func run() async throws {
        let clients = try MeshClients(mesh)
        let queue = try await clients.review.listQueue(
            ListQueueRequest(limit: limit, includeAwaitingMaterials: all),
            options: try identity.options()
        )
        print(QueueTable.render(queue))
        await clients.close()
    }
}

/// `refundctl overdue`: cases past their SLA (and, with --soon, close to it).
struct Overdue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List cases past their SLA due time (R-R4).")

    @OptionGroup var mesh: MeshAddresses
    @Flag(help: "Also cases due within the warning window.") var soon = false
    @Option(help: "At most this many.") var limit: UInt32 = 50

    func run() async throws {
        let clients = try MeshClients(mesh)
        let overdue = try await clients.review.listOverdue(ListOverdueRequest(includeDueSoon: soon, limit: limit))
        print(overdue.items.isEmpty ? "nothing overdue" : QueueTable.render(overdue))
        await clients.close()
    }
}

/// `refundctl claim`: takes a case (or the next one) for a while.
struct Claim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Claim a case, or the first unclaimed one of the queue, so nobody else decides it."
    )

    @OptionGroup var mesh: MeshAddresses
    @OptionGroup var identity: ReviewerIdentity
    @Argument(help: "The refund id; empty: the next case of the queue.") var refundID: String = ""

    func run() async throws {
        let clients = try MeshClients(mesh)
        let claim = try await clients.review.claimCase(
            ClaimCaseRequest(refundID: refundID),
            options: try identity.options()
        )
        print("claimed \(claim.refundID) as \(claim.reviewerID) until \(QueueTable.time(claim.expiresAtMs))")
        await clients.close()
    }
}

/// `refundctl release`: gives a claimed case back.
struct Release: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Give a claimed case back to the queue.")

    @OptionGroup var mesh: MeshAddresses
    @OptionGroup var identity: ReviewerIdentity
    @Argument(help: "The refund id.") var refundID: String

    func run() async throws {
        let clients = try MeshClients(mesh)
        _ = try await clients.review.releaseCase(
            ReleaseCaseRequest(refundID: refundID),
            options: try identity.options()
        )
        print("released \(refundID)")
        await clients.close()
    }
}

/// `refundctl show`: everything about a case.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a case: order, payments, facts, materials, risk, SLA and timeline."
    )

    @OptionGroup var mesh: MeshAddresses
    @Argument(help: "The refund id.") var refundID: String

    func run() async throws {
        let clients = try MeshClients(mesh)
        let detail = try await clients.review.getCaseDetail(GetCaseRequest(refundID: refundID))
        print(CaseSheet.render(detail))
        await clients.close()
    }
}

/// `refundctl decide`: a reviewer's decision, with the reason (R-R10).
struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decide a claimed case: approve, approve-partial, reject, request-materials or offer.",
        discussion: """
            Examples:
              refundctl decide r-1 approve --note "operator certificate confirms the recharge failed"
              refundctl decide r-1 approve-partial --amount 1500 --note "half the points were used"
              refundctl decide r-1 reject --negative-list user-mistake --note "wrong account entered"
              refundctl decide r-1 request-materials --material non-use --note "send the operator's certificate"
              refundctl decide r-1 offer --days-used 10 --note "10 of 30 days used"
            """
    )

    @OptionGroup var mesh: MeshAddresses
    @OptionGroup var identity: ReviewerIdentity
    @Argument(help: "The refund id.") var refundID: String
    @Argument(help: "approve, approve-partial, reject, request-materials or offer.") var action: String
    @Option(help: "Why (required, recorded with the decision and shown to the user).") var note: String
    @Option(help: "approve-partial: the amount in fen.") var amount: Int64 = 0
    @Option(help: "reject: user-mistake, cancel-after-use, card-key-activated, validity-expired, outside-window.")
    var negativeList = ""
    @Option(help: "request-materials: order, payment, non-use or reason; repeatable.") var material: [String] = []
    @Option(help: "offer: days used of a time-based product (R-R5).") var daysUsed: Int32 = 0
    @Option(help: "The decision's id; repeating it repeats nothing (default: a new one).") var decisionID =
        UUID().uuidString

    func run() async throws {
        let request = DecideCaseRequest(
            decisionID: decisionID,
            refundID: refundID,
            action: try DecideCaseRequest.Action(argument: action),
            amountFen: amount,
            daysUsed: daysUsed,
            negativeListItem: negativeList.isEmpty ? .unspecified : try NegativeListItem(argument: negativeList),
            materials: try material.map(MaterialKind.init(argument:)),
            note: note
        )
        let clients = try MeshClients(mesh)
        let detail = try await clients.review.decideCase(request, options: try identity.options())
        let decided = detail.reviewCase ?? ReviewCase()
        print("\(refundID): \(decided.outcome) \(decided.rule) \(decided.reason)")
        await clients.close()
    }
}

extension DecideCaseRequest.Action {
    init(argument: String) throws {
        switch argument {
        case "approve": self = .approveFull
        case "approve-partial": self = .approvePartial
        case "reject": self = .reject
        case "request-materials": self = .requestMaterials
        case "offer": self = .offer
        default:
            throw ValidationError(
                "unknown action \(argument): approve, approve-partial, reject, request-materials or offer"
            )
        }
    }
}

extension NegativeListItem {
    init(argument: String) throws {
        switch argument {
        case "user-mistake": self = .userMistake
        case "cancel-after-use": self = .cancelAfterUse
        case "card-key-activated": self = .cardKeyActivated
        case "validity-expired": self = .validityExpired
        case "outside-window": self = .outsideWindow
        default:
            throw ValidationError(
                "unknown negative-list entry \(argument) (R-A3): user-mistake, cancel-after-use,"
                    + " card-key-activated, validity-expired or outside-window"
            )
        }
    }
}

/// Plain-text rendering of queue listings.
enum QueueTable {
    static func render(_ queue: ListQueueResponse) -> String {
        guard !queue.items.isEmpty else { return "the queue is empty" }
        var lines = ["P  REFUND                  AMOUNT(fen)  DUE (UTC)              SLA        RISK  CLAIMED BY   WHY"]
        for item in queue.items {
            let claimed = item.claimedBy.isEmpty ? "-" : item.claimedBy
            lines.append(
                [
                    String(item.priority).padded(2),
                    item.refundID.padded(22),
                    String(item.requestedAmountFen).padded(12),
                    (item.slaDueAtMs > 0 ? time(item.slaDueAtMs) : "paused").padded(22),
                    slaName(item.slaStatus).padded(10),
                    String(item.riskScore).padded(5),
                    claimed.padded(12),
                    (item.priorityReasons + [item.manualReason]).filter { !$0.isEmpty }.joined(separator: "; "),
                ].joined(separator: " ")
            )
        }
        return lines.joined(separator: "\n")
    }

    static func slaName(_ status: SlaStatus) -> String {
        switch status {
        case .onTrack: "on-track"
        case .dueSoon: "due-soon"
        case .breached: "BREACHED"
        case .paused: "paused"
        case .met: "met"
        default: "-"
        }
    }

    static func time(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).ISO8601Format()
    }
}

/// Plain-text rendering of one case.
enum CaseSheet {
    static func render(_ detail: CaseDetail) -> String {
        let decided = detail.reviewCase ?? ReviewCase()
        let order = detail.order ?? Order()
        let queue = detail.queue ?? QueueItem()
        var lines: [String] = []
        lines.append("refund \(decided.refundID)  order \(order.orderID)  user \(order.userID)")
        lines.append("  outcome   \(decided.outcome)  \(decided.rule)  \(decided.reason)")
        if !decided.decidedBy.isEmpty { lines.append("  decided   by \(decided.decidedBy)  \(decided.decisionNote)") }
        if !decided.manualReason.isEmpty { lines.append("  manual    \(decided.manualReason)") }
        lines.append(
            "  order     \(order.productKind) \(order.productName) \(order.priceFen) fen, paid "
                + QueueTable.time(order.paidAtMs) + (order.elderlyCare ? ", elderly care" : "")
        )
        lines.append(
            "  request   \(detail.ground), \(detail.requestedAmountFen) fen to \(detail.destination); \""
                + detail.reasonStatement + "\""
        )
        lines.append(
            "  from      device \(detail.requesterDeviceID.isEmpty ? "?" : detail.requesterDeviceID) ip "
                + "\(detail.requesterIP.isEmpty ? "?" : detail.requesterIP); buyer device "
                + "\(order.buyerDeviceID.isEmpty ? "?" : order.buyerDeviceID) ip "
                + (order.buyerIP.isEmpty ? "?" : order.buyerIP)
        )
        lines.append(
            "  SLA       \(queue.slaKind) \(QueueTable.slaName(queue.slaStatus))"
                + (queue.slaDueAtMs > 0 ? " due \(QueueTable.time(queue.slaDueAtMs))" : "")
                + "  priority \(queue.priority) \(queue.priorityReasons.joined(separator: ","))"
                + (queue.claimedBy.isEmpty ? "" : "  claimed by \(queue.claimedBy)")
        )
        if let risk = detail.risk {
            lines.append("  risk      \(risk.score)/\(risk.threshold)\(risk.manual ? " → a person decides" : "")")
            for signal in risk.signals {
                lines.append("            +\(signal.weight) \(signal.name): \(signal.detail)")
            }
        }
        if detail.paymentsUnavailable.isEmpty {
            for payment in detail.payments {
                lines.append("  payment   \(payment.paymentID) \(payment.method) \(payment.amountFen) fen")
            }
        } else {
            lines.append("  payments  unavailable: \(detail.paymentsUnavailable)")
        }
        for fact in decided.facts { lines.append("  fact      \(fact.kind) \(fact.detail)") }
        for material in detail.materials {
            lines.append(
                "  material  \(material.kind) \(material.fileName) \(material.sizeBytes) B \(material.sha256Hex)"
            )
        }
        if !detail.requestedMaterials.isEmpty {
            lines.append("  waiting   for \(detail.requestedMaterials.map { "\($0)" }.joined(separator: ", "))")
        }
        for entry in detail.timeline {
            lines.append(
                "  #\(entry.sequence) \(QueueTable.time(entry.atMs)) \(entry.actor) \(entry.rule) \(entry.reason)"
            )
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The text followed by spaces up to `width` characters; never cut.
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
