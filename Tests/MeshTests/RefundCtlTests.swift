import Foundation
import RefundMeshAPI
import RefundMeshRPC
import RefundMeshTestSupport
import Testing

@Suite("refundctl against the mesh")
struct RefundCtlTests {
    @Test("refundctl health and demo print every service serving and every story's timeline")
    func demo() async throws {
        let mesh = try Mesh(extraEnvironment: ["PAYMENT_SANDBOX_SETTLE_MILLIS": "50"])
        try await mesh.start()
        let addresses = Mesh.names.flatMap { name in ["--\(name)", "127.0.0.1:\(mesh.ports[name]!)"] }
        let health = try await run(["health"] + addresses)
        #expect(health.status == 0)
        #expect(health.output.components(separatedBy: "serving").count - 1 == 4, "\(health.output)")
        let demo = try await run(["demo"] + addresses)
        #expect(demo.status == 0, "\(demo.output)")
        for expected in [
            "moneyArrived", "[R-R1]", "[R-R2]", "[R-R3]", "[R-R5]", "R-A4", "¥0.60", "offer accepted by the user",
        ] {
            #expect(demo.output.contains(expected), "demo output lacks \(expected)")
        }
        _ = try await mesh.stop()
    }

    @Test("refundctl's payment operator commands after the demo: trial balance, reconcile, alerts (R-C5, R-C6)")
    func paymentOperations() async throws {
        let mesh = try Mesh(extraEnvironment: ["PAYMENT_SANDBOX_SETTLE_MILLIS": "50"])
        try await mesh.start()
        let at = Mesh.names.flatMap { name in ["--\(name)", "127.0.0.1:\(mesh.ports[name]!)"] }
        #expect(try await run(["demo"] + at).status == 0)
        let trial = try await run(["trial-balance"] + at)
        #expect(trial.status == 0 && trial.output.contains("balanced:"), "\(trial.output)")
        #expect(trial.output.contains("channel_settlement:wechat_pay"), "\(trial.output)")
        // The shop's day (UTC+8), as payment-channel's calendar counts it.
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        let today = formatter.string(from: Date())
        let reconcile = try await run(["reconcile", "--channel", "wechat", "--date", today] + at)
        #expect(reconcile.status == 0 && reconcile.output.contains("no mismatches"), "\(reconcile.output)")
        let alerts = try await run(["alerts"] + at)
        #expect(alerts.status == 0, "\(alerts.output)")
        let resolve = try await run(["resolve", "nope", "--action", "to-balance", "--operator", "op-1"] + at)
        #expect(
            resolve.status != 0 && resolve.output.contains("no refund payment for refund nope"),
            "\(resolve.output)"
        )
        _ = try await mesh.stop()
    }

    @Test("refundctl's subcommands: record, pre-check, submit files, watch, withdraw, decline an offer, inbox")
    func subcommands() async throws {
        let mesh = try Mesh(extraEnvironment: ["PAYMENT_SANDBOX_SETTLE_MILLIS": "50"])
        try await mesh.start()
        let at = Mesh.names.flatMap { name in ["--\(name)", "127.0.0.1:\(mesh.ports[name]!)"] }
        func ctl(_ arguments: [String]) async throws -> String {
            let result = try await run(arguments + at)
            #expect(result.status == 0, "refundctl \(arguments.joined(separator: " ")): \(result.output)")
            return result.output
        }
        let proof = mesh.root.appendingPathComponent("proof.txt")
        try Data("sealed card photo".utf8).write(to: proof)
        _ = try await ctl(["order", "--id", "c-1", "--user", "cli", "--kind", "card-key", "--price", "5000"])
        _ = try await ctl([
            "payment", "--id", "p-1", "--order", "c-1", "--user", "cli", "--method", "balance", "--amount", "5000",
        ])
        let check = try await ctl([
            "precheck", "--user", "cli", "--order", "c-1", "--material", "order", "--material", "payment", "--material",
            "non-use",
            "--reason", "The card key was never redeemed; it is still sealed.", "--locale", "en",
        ])
        #expect(check.contains("eligible [R-A6]") || check.hasPrefix("eligible"), "\(check)")
        let reason = "The card key was never redeemed; it is still sealed."
        let submitted = try await ctl([
            "submit", "--user", "cli", "--order", "c-1", "--key", "k-1", "--reason", reason,
            "--attach", "order=\(proof.path)", "--attach", "payment=\(proof.path)", "--attach", "non-use=\(proof.path)",
        ])
        let refundID = try #require(submitted.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let watched = try await ctl(["watch", "--user", "cli", refundID])
        #expect(watched.contains("moneyArrived"), "\(watched)")

        _ = try await ctl(["order", "--id", "v-1", "--user", "cli", "--kind", "virtual-service", "--price", "800"])
        _ = try await ctl([
            "payment", "--id", "p-2", "--order", "v-1", "--user", "cli", "--method", "alipay", "--amount", "800",
        ])
        let manual = try await ctl([
            "submit", "--user", "cli", "--order", "v-1", "--key", "k-2", "--ground", "delivery-failed", "--reason",
            reason,
            "--attach", "order=\(proof.path)", "--attach", "payment=\(proof.path)",
        ])
        let manualID = try #require(manual.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        #expect(try await ctl(["withdraw", "--user", "cli", manualID]).contains("withdrawn"))

        _ = try await ctl([
            "order", "--id", "m-1", "--user", "cli", "--kind", "time-based", "--price", "3000", "--total-days", "30",
        ])
        _ = try await ctl([
            "payment", "--id", "p-3", "--order", "m-1", "--user", "cli", "--method", "wechat", "--amount", "3000",
        ])
        _ = try await ctl(["fact", "--id", "f-3", "--order", "m-1", "--kind", "days-used", "--days", "10"])
        let monthly = try await ctl([
            "submit", "--user", "cli", "--order", "m-1", "--key", "k-3", "--ground", "partly-used", "--reason", reason,
            "--attach", "order=\(proof.path)", "--attach", "payment=\(proof.path)",
        ])
        let monthlyID = try #require(monthly.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        let intake = Intake.Client(mesh.client("intake"))
        var offered = try await intake.getRefund(GetRefundRequest(userID: "cli", refundID: monthlyID))
        for _ in 0..<200 where offered.state != .offered {
            try await Task.sleep(for: .milliseconds(25))
            offered = try await intake.getRefund(GetRefundRequest(userID: "cli", refundID: monthlyID))
        }
        #expect(offered.state == .offered)
        _ = try await ctl(["answer", "--user", "cli", "--decline", monthlyID])
        let declined = try await ctl(["watch", "--user", "cli", monthlyID])
        #expect(declined.contains("offerDeclined"), "\(declined)")
        #expect(try await ctl(["inbox", "--user", "cli"]).contains("unread"))
        _ = try await mesh.stop()
    }

    private func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await RefundCtl.run(arguments)
    }
}

/// Runs the built `refundctl` binary.
enum RefundCtl {
    static func run(
        _ arguments: [String],
        environment: [String: String]? = nil
    ) async throws
        -> (status: Int32, output: String)
    {
        try await runProcess(
            ServiceProcess.productsDirectory.appendingPathComponent("refundctl").path,
            arguments,
            environment: environment
        )
    }
}

/// Runs `executable` to its end on a thread of its own; returns its exit status and its output
/// and errors together. Without an `environment` it gets this process's, with the tests' key set.
func runProcess(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String]? = nil
) async throws
    -> (status: Int32, output: String)
{
    let outcome = try await runToEnd(executable, arguments, environment: environment ?? TestKeys.environment)
    return (outcome.status, outcome.output)
}
