import ArgumentParser
import Foundation
import RefundMeshAPI

/// `refundctl order`: records an order's facts at intake, as the platform would.
struct RecordOrder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order", abstract: "Record an order (platform feed).")

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "Order id.") var id: String
    @Option(help: "The buyer.") var user: String
    @Option(help: "card-key, direct-recharge, time-based or virtual-service.") var kind: String
    @Option(help: "Price in fen.") var price: Int64
    @Option(help: "Paid this many days ago.") var paidDaysAgo: Int64 = 0
    @Option(help: "TIME_BASED: the subscription's days.") var totalDays: Int32 = 0
    @Flag(help: "The buyer is in the elderly care programme (R-R8 green channel).") var elderlyCare = false
    @Option(help: "The buyer's device id (R-R7).") var buyerDevice = ""
    @Option(help: "The buyer's IP address (R-R7).") var buyerIP = ""

    func run() async throws {
        let clients = try MeshClients(mesh)
        let kind = try ProductKind(argument: self.kind)
        let paidAt = Int64(Date().timeIntervalSince1970 * 1000) - paidDaysAgo * 86_400_000
        let ack = try await clients.intake.recordOrder(
            RecordOrderRequest(
                order: Order(
                    orderID: id,
                    userID: user,
                    productKind: kind,
                    sku: id,
                    productName: id,
                    priceFen: price,
                    paidAtMs: paidAt,
                    cardKeyID: kind == .cardKey ? "ck-\(id)" : "",
                    rechargeAccount: kind == .directRecharge ? "acct-\(id)" : "",
                    totalDays: totalDays,
                    buyerDeviceID: buyerDevice,
                    buyerIP: buyerIP,
                    elderlyCare: elderlyCare
                )
            )
        )
        print(ack.firstTime ? "order \(id) recorded" : "order \(id) was already recorded")
        await clients.close()
    }
}

/// `refundctl payment`: records a captured payment at payment-channel.
struct RecordPayment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment",
        abstract: "Record a captured payment (platform feed)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The provider's transaction id.") var id: String
    @Option(help: "Order id.") var order: String
    @Option(help: "The payer.") var user: String
    @Option(help: "wechat, alipay, bank-card or balance.") var method: String
    @Option(help: "Amount in fen.") var amount: Int64

    func run() async throws {
        let clients = try MeshClients(mesh)
        let ack = try await clients.payments.recordPayment(
            CapturedPayment(
                paymentID: id,
                orderID: order,
                userID: user,
                method: try PaymentMethod(argument: method),
                amountFen: amount,
                capturedAtMs: Int64(Date().timeIntervalSince1970 * 1000)
            )
        )
        print(ack.firstTime ? "payment \(id) recorded" : "payment \(id) was already recorded")
        await clients.close()
    }
}

/// `refundctl fact`: records a fulfillment fact at review.
struct RecordFact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fact",
        abstract: "Record a fulfillment fact (platform feed)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "Fact id.") var id: String
    @Option(help: "Order id.") var order: String
    @Option(help: "issued, activated, credited, failed or days-used.") var kind: String
    @Option(help: "days-used: how many days.") var days: Int32 = 0

    func run() async throws {
        let clients = try MeshClients(mesh)
        let kinds: [String: FulfillmentFact.Kind] = [
            "issued": .cardKeyIssued, "activated": .cardKeyActivated, "credited": .rechargeCredited,
            "failed": .rechargeFailed, "days-used": .daysUsed,
        ]
        guard let factKind = kinds[kind] else {
            throw ValidationError("--kind must be one of \(kinds.keys.sorted().joined(separator: ", "))")
        }
        let ack = try await clients.review.recordFulfillment(
            FulfillmentFact(
                factID: id,
                orderID: order,
                kind: factKind,
                atMs: Int64(Date().timeIntervalSince1970 * 1000),
                daysUsed: days
            )
        )
        print(ack.firstTime ? "fact \(id) recorded" : "fact \(id) was already recorded")
        await clients.close()
    }
}

extension ProductKind {
    init(argument: String) throws {
        switch argument {
        case "card-key": self = .cardKey
        case "direct-recharge": self = .directRecharge
        case "time-based": self = .timeBased
        case "virtual-service": self = .virtualService
        default: throw ValidationError("kind must be card-key, direct-recharge, time-based or virtual-service")
        }
    }
}

extension PaymentMethod {
    init(argument: String) throws {
        switch argument {
        case "wechat": self = .wechatPay
        case "alipay": self = .alipay
        case "bank-card": self = .bankCard
        case "balance": self = .balance
        default: throw ValidationError("method must be wechat, alipay, bank-card or balance")
        }
    }
}

extension RefundGround {
    init(argument: String) throws {
        switch argument {
        case "not-used": self = .notUsed
        case "duplicate-charge": self = .duplicateCharge
        case "not-as-described": self = .notAsDescribed
        case "delivery-failed": self = .deliveryFailed
        case "partly-used": self = .partlyUsed
        default:
            throw ValidationError(
                "ground must be not-used, duplicate-charge, not-as-described, delivery-failed or partly-used"
            )
        }
    }
}

extension MaterialKind {
    init(argument: String) throws {
        switch argument {
        case "order": self = .orderProof
        case "payment": self = .paymentProof
        case "non-use": self = .nonUseProof
        case "reason": self = .reasonStatement
        default: throw ValidationError("material kind must be order, payment, non-use or reason")
        }
    }
}
