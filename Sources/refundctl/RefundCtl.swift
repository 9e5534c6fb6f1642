import ArgumentParser

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
        ]
    )
}

/// Where the services are (defaults: the local ports of scripts/run-mesh.sh).
struct MeshAddresses: ParsableArguments {
    @Option(help: "intake's address.")
    var intake = "127.0.0.1:7001"
    @Option(help: "review's address.")
    var review = "127.0.0.1:7002"
    @Option(help: "payment-channel's address.")
    var paymentChannel = "127.0.0.1:7003"
    @Option(help: "notification's address.")
    var notification = "127.0.0.1:7004"

    var all: [(name: String, address: String)] {
        [("intake", intake), ("review", review), ("payment-channel", paymentChannel), ("notification", notification)]
    }
}
