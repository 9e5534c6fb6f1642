import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshRPC

// Notification channels (R-N2) and deliveries (R-N3): prefs set|show, deliveries, dead-letters,
// retry-dead-letter.

/// `refundctl prefs`: a user's channel preferences.
struct Prefs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or set a user's notification channels (the inbox is always on; R-N2).",
        subcommands: [Change.self, Show.self]
    )

    /// `refundctl prefs show --user U`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a user's channels, addresses and language.")

        @OptionGroup var mesh: MeshAddresses
        @Option(help: "The user.") var user: String

        func run() async throws {
            let clients = try MeshClients(mesh)
            let preferences = try await clients.notification.getPreferences(GetPreferencesRequest(userID: user))
            print(Prefs.render(preferences))
            await clients.close()
        }
    }

    /// `refundctl prefs set --user U [--sms on|off] [--phone P] …`: changes only what is given.
    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a user's channels; options not given keep their current value."
        )

        @OptionGroup var mesh: MeshAddresses
        @Option(help: "The user.") var user: String
        @Option(help: "SMS on or off.") var sms: Switch?
        @Option(help: "E-mail on or off.") var email: Switch?
        @Option(help: "Webhook on or off.") var webhook: Switch?
        @Option(help: "Mobile number, e.g. 13812345678 or +8613812345678.") var phone: String?
        @Option(help: "E-mail address.") var address: String?
        @Option(help: "Webhook URL (https://…).") var url: String?
        @Option(help: "Webhook signing secret (16+ characters); default: $REFUNDCTL_WEBHOOK_SECRET.") var secret:
            String?
        @Option(help: "Language: zh-CN or en (empty: each event's own).") var locale: String?

        enum Switch: String, ExpressibleByArgument {
            case on, off
        }

        func run() async throws {
            let clients = try MeshClients(mesh)
            var preferences = try await clients.notification.getPreferences(GetPreferencesRequest(userID: user))
            if let sms { preferences.smsEnabled = sms == .on }
            if let email { preferences.emailEnabled = email == .on }
            if let webhook { preferences.webhookEnabled = webhook == .on }
            if let phone { preferences.phone = phone }
            if let address { preferences.email = address }
            if let url { preferences.webhookURL = url }
            if let locale { preferences.locale = locale }
            preferences.webhookSecret = secret ?? ProcessInfo.processInfo.environment["REFUNDCTL_WEBHOOK_SECRET"] ?? ""
            do {
                let stored = try await clients.notification.setPreferences(preferences)
                print(Prefs.render(stored))
            } catch let error as RPCError where error.code == .invalidArgument {
                await clients.close()
                throw ValidationError(error.message)
            }
            await clients.close()
        }
    }

    static func render(_ preferences: ChannelPreferences) -> String {
        func state(_ on: Bool) -> String { on ? "on " : "off" }
        return [
            "user     \(preferences.userID)",
            "inbox    on  (always)",
            "sms      \(state(preferences.smsEnabled)) \(preferences.phone)",
            "email    \(state(preferences.emailEnabled)) \(preferences.email)",
            "webhook  \(state(preferences.webhookEnabled)) \(preferences.webhookURL)"
                + (preferences.webhookSecretSet ? " (secret set)" : ""),
            "locale   \(preferences.locale.isEmpty ? "(each event's own; zh-CN by default)" : preferences.locale)",
        ].joined(separator: "\n")
    }
}

/// `refundctl deliveries --user U | --event E`: deliveries and their attempt logs.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a user's or an event's deliveries with every attempt (R-N3)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "The user.") var user: String?
    @Option(help: "The event id.") var event: String?
    @Option(help: "At most this many.") var limit: UInt32 = 50

    func validate() throws {
        guard (user ?? "").isEmpty != (event ?? "").isEmpty else {
            throw ValidationError("give exactly one of --user or --event")
        }
    }

    func run() async throws {
        let clients = try MeshClients(mesh)
        let response = try await clients.notification.listDeliveries(
            ListDeliveriesRequest(userID: user ?? "", eventID: event ?? "", limit: limit)
        )
        print(DeliveryTable.render(response.deliveries, empty: "no deliveries"))
        await clients.close()
    }
}

/// `refundctl dead-letters`: deliveries that gave up.
struct DeadLetters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "List deliveries that failed their last retry (R-N3)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "At most this many.") var limit: UInt32 = 50

    func run() async throws {
        let clients = try MeshClients(mesh)
        let response = try await clients.notification.listDeadLetters(ListDeadLettersRequest(limit: limit))
        print(DeliveryTable.render(response.deliveries, empty: "no dead letters"))
        await clients.close()
    }
}

/// `refundctl retry-dead-letter ID --operator O`: puts a dead letter back to due.
struct RetryDeadLetter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry-dead-letter",
        abstract: "Put a dead letter back to due with a fresh set of attempts (R-N3)."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(name: .customLong("operator"), help: "Who you are (default: $REFUNDCTL_OPERATOR).") var operatorID: String?
    @Argument(help: "The delivery id (<event id>/<channel>), as dead-letters lists it.") var deliveryID: String

    func run() async throws {
        let who = operatorID ?? ProcessInfo.processInfo.environment["REFUNDCTL_OPERATOR"] ?? ""
        guard !who.isEmpty else {
            throw ValidationError("say who you are: --operator ID or REFUNDCTL_OPERATOR=ID (R-N3)")
        }
        let clients = try MeshClients(mesh)
        let delivery = try await clients.notification.retryDeadLetter(
            RetryDeadLetterRequest(deliveryID: deliveryID, operatorID: who)
        )
        print("\(delivery.deliveryID) is due again (put back by \(delivery.retriedBy))")
        await clients.close()
    }
}

enum DeliveryTable {
    static func render(_ deliveries: [Delivery], empty: String) -> String {
        guard !deliveries.isEmpty else { return empty }
        var lines: [String] = []
        for delivery in deliveries {
            let state: String
            switch delivery.state {
            case .due: state = "due"
            case .delivered: state = "delivered"
            case .dead: state = "DEAD"
            default: state = "?"
            }
            lines.append(
                "\(delivery.deliveryID)  \(state)  to \(delivery.destination)  attempts \(delivery.attempts)"
                    + (delivery.retriedBy.isEmpty ? "" : "  retried by \(delivery.retriedBy)")
            )
            for attempt in delivery.log {
                let outcome: String
                switch attempt.outcome {
                case .delivered: outcome = "delivered"
                case .retry: outcome = "retry"
                case .dead: outcome = "dead"
                default: outcome = "?"
                }
                let code = attempt.statusCode == 0 ? "" : " \(attempt.statusCode)"
                let detail = attempt.error.isEmpty ? attempt.reply : attempt.error
                lines.append("    #\(attempt.attempt) \(QueueTable.time(attempt.atMs)) \(outcome)\(code) \(detail)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
