import ArgumentParser
import Foundation
import RefundMeshAPI

/// `refundctl precheck`: "would this qualify, and what is missing?" (R-A6).
struct PreCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precheck",
        abstract: "Ask whether a refund would qualify (R-A6)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The user.") var user: String
    @Option(help: "Order id.") var order: String
    @Option(help: "not-used, duplicate-charge, not-as-described, delivery-failed or partly-used.") var ground =
        "not-used"
    @Option(help: "Materials at hand: order, payment, non-use, reason (repeatable).") var material: [String] = []
    @Option(help: "The reason statement.") var reason = ""
    @Option(help: "zh-CN or en.") var locale = "zh-CN"

    func run() async throws {
        let clients = try MeshClients(mesh)
        let answer = try await clients.intake.preCheck(
            PreCheckRequest(
                userID: user,
                orderID: order,
                ground: try RefundGround(argument: ground),
                materials: try material.map(MaterialKind.init(argument:)),
                reasonStatement: reason,
                locale: locale
            )
        )
        print("\(answer.eligible ? "eligible" : "not eligible") [\(answer.rule)] \(answer.reason)")
        if !answer.missingMaterials.isEmpty { print("missing: \(answer.missingMaterials)") }
        print(
            "amount \(answer.expectedAmountFen) fen\(answer.proRated ? " (pro-rated)" : ""), fee \(answer.feeFen) fen, "
                + "back to \(answer.refundMethod), \(answer.arrivalDescription)"
        )
        await clients.close()
    }
}

/// `refundctl submit`: a refund request with its materials as files, in one submission (R-A5).
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Submit a refund request with attachment files.")

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The user.") var user: String
    @Option(help: "Order id.") var order: String
    @Option(help: "The idempotency key (R-A8); resubmitting it returns the same refund.") var key: String
    @Option(help: "not-used, duplicate-charge, not-as-described, delivery-failed or partly-used.") var ground =
        "not-used"
    @Option(help: "A specific reason statement.") var reason: String
    @Option(help: "kind=path of a material (kind: order, payment, non-use, reason); repeatable.") var attach: [String] =
        []
    @Flag(help: "Refund to the platform balance instead of the original payment.") var toBalance = false
    @Option(help: "For a duplicate charge: the payment id to refund.") var payment = ""
    @Option(help: "zh-CN or en.") var locale = "zh-CN"
    @Option(help: "The requester's device id (R-R7).") var device = ""
    @Option(help: "The requester's IP address (R-R7).") var ip = ""

    func run() async throws {
        var attachments: [Attachment] = []
        for item in attach {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--attach wants kind=path, got \(item)") }
            let url = URL(fileURLWithPath: parts[1])
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ValidationError("cannot read \(parts[1])")
            }
            attachments.append(
                Attachment(
                    kind: try MaterialKind(argument: parts[0]),
                    fileName: url.lastPathComponent,
                    contentType: "application/octet-stream",
                    content: [UInt8](data)
                )
            )
        }
        let clients = try MeshClients(mesh)
        let view = try await clients.intake.submitRefund(
            SubmitRefundRequest(
                idempotencyKey: key,
                userID: user,
                orderID: order,
                source: .orderPage,
                ground: try RefundGround(argument: ground),
                reasonStatement: reason,
                attachments: attachments,
                destination: toBalance ? .balance : .original,
                paymentID: payment,
                requesterDeviceID: device,
                requesterIP: ip,
                locale: locale
            )
        )
        print("refund \(view.refundID): \(view.state)\(view.flaggedForReview ? " (flagged: \(view.flagReason))" : "")")
        await clients.close()
    }
}

/// `refundctl withdraw`: the user withdraws an undecided request (R-A7 counts these).
struct Withdraw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Withdraw a refund request.")

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The user.") var user: String
    @Argument(help: "The refund id.") var refundID: String

    func run() async throws {
        let clients = try MeshClients(mesh)
        let view = try await clients.intake.withdrawRefund(WithdrawRefundRequest(userID: user, refundID: refundID))
        print("refund \(view.refundID): \(view.state)")
        await clients.close()
    }
}

/// `refundctl answer`: accept or decline a pro-rated offer (R-R5).
struct Answer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Accept or decline a pro-rated offer (R-R5).")

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The user.") var user: String
    @Flag(help: "Decline instead of accepting.") var decline = false
    @Argument(help: "The refund id.") var refundID: String

    func run() async throws {
        let clients = try MeshClients(mesh)
        let view = try await clients.intake.answerOffer(
            AnswerOfferRequest(userID: user, refundID: refundID, accept: !decline)
        )
        print("refund \(view.refundID): \(view.state) (answer sent to review)")
        await clients.close()
    }
}
