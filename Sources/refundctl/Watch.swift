import ArgumentParser
import RefundMeshAPI

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a refund's timeline live until it is final (R-T2)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The refund's owner.") var user: String
    @Argument(help: "The refund id.") var refundID: String

    func run() async throws {
        let clients = try MeshClients(mesh)
        var printed = 0
        try await clients.intake.watchRefund(GetRefundRequest(userID: user, refundID: refundID)) { stream in
            for try await view in stream {
                for entry in view.timeline.dropFirst(printed) { print(Timeline.line(entry)) }
                printed = view.timeline.count
                if view.state.isFinal { break }
            }
        }
        await clients.close()
    }
}

struct Inbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a user's in-app inbox (R-N1).")

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The user.") var user: String

    func run() async throws {
        let clients = try MeshClients(mesh)
        let inbox = try await clients.notification.listInbox(ListInboxRequest(userID: user, limit: 100))
        print("\(inbox.items.count) items, \(inbox.unreadCount) unread")
        for item in inbox.items {
            print("\(item.read ? " " : "*") \(item.title) — \(item.body)")
        }
        await clients.close()
    }
}

enum Timeline {
    static func line(_ entry: TimelineEntry) -> String {
        let amount = entry.amountFen > 0 ? "  ¥\(entry.amountFen / 100).\(String(format2: entry.amountFen % 100))" : ""
        let rule = entry.rule.isEmpty ? "" : "  [\(entry.rule)]"
        return "  \(String(describing: entry.state).padding(to: 18))\(rule)\(amount)  \(entry.actor): \(entry.reason)"
    }
}

extension String {
    init(format2 value: Int64) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
