import ArgumentParser
import Foundation

/// `refundctl`: try and operate a running RefundMesh.
@main
struct RefundCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refundctl",
        abstract: "Try and operate a running RefundMesh.",
        subcommands: [
            Health.self, Demo.self, RecordOrder.self, RecordPayment.self, RecordFact.self, PreCheck.self, Submit.self,
            Withdraw.self, Answer.self, Watch.self, Inbox.self, Queue.self, Claim.self, Release.self, Show.self,
            Decide.self, Overdue.self, Evidence.self,
            PaymentLedger.self, TrialBalanceCommand.self, Reconcile.self, Alerts.self, Resolve.self,
            Prefs.self, Deliveries.self, DeadLetters.self, RetryDeadLetter.self,
            StatusCommand.self, DrainCommand.self, OutboxCommand.self, BackupCommand.self, Top.self,
            Keys.self, StoreCommand.self,
        ]
    )
}

/// Where the services are: the flags, else `INTAKE_ADDR`, `REVIEW_ADDR`, `PAYMENT_CHANNEL_ADDR`,
/// `NOTIFICATION_ADDR` (the names the services use for their peers; docker-compose's refundctl
/// sets them), else the local ports of scripts/run-mesh.sh.
struct MeshAddresses: ParsableArguments {
    @Option(name: .customLong("intake"), help: "intake's address (default: INTAKE_ADDR or 127.0.0.1:7001).")
    var intakeFlag: String?
    @Option(name: .customLong("review"), help: "review's address (default: REVIEW_ADDR or 127.0.0.1:7002).")
    var reviewFlag: String?
    @Option(
        name: .customLong("payment-channel"),
        help: "payment-channel's address (default: PAYMENT_CHANNEL_ADDR or 127.0.0.1:7003)."
    )
    var paymentChannelFlag: String?
    @Option(
        name: .customLong("notification"),
        help: "notification's address (default: NOTIFICATION_ADDR or 127.0.0.1:7004)."
    )
    var notificationFlag: String?
    @Option(
        name: .customLong("keys"),
        help:
            "The key set to sign calls with (default: REFUNDMESH_AUTH_DIR or ./data/auth; `refundctl keys init` makes one)."
    )
    var keysFlag: String?
    @Option(
        name: .customLong("as"),
        help: "Who you are in staff and platform tokens (default: REFUNDMESH_ACTOR, USER or refundctl)."
    )
    var actorFlag: String?

    var keys: String { Self.address(keysFlag, "REFUNDMESH_AUTH_DIR", "./data/auth") }
    var actor: String {
        let environment = ProcessInfo.processInfo.environment
        return actorFlag ?? environment["REFUNDMESH_ACTOR"] ?? environment["USER"] ?? "refundctl"
    }

    var intake: String { Self.address(intakeFlag, "INTAKE_ADDR", "127.0.0.1:7001") }
    var review: String { Self.address(reviewFlag, "REVIEW_ADDR", "127.0.0.1:7002") }
    var paymentChannel: String { Self.address(paymentChannelFlag, "PAYMENT_CHANNEL_ADDR", "127.0.0.1:7003") }
    var notification: String { Self.address(notificationFlag, "NOTIFICATION_ADDR", "127.0.0.1:7004") }

    private static func address(_ flag: String?, _ variable: String, _ fallback: String) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        return fallback
    }

    var all: [(name: String, address: String)] {
        [("intake", intake), ("review", review), ("payment-channel", paymentChannel), ("notification", notification)]
    }
}
