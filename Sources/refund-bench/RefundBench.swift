import ArgumentParser
import Foundation
import Histogram
import ProviderSandbox
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshRPC
import Synchronization

/// `refund-bench`: drives N automatically decidable refunds (unused card keys, refunded to the
/// balance or to WeChat) through a running mesh and reports refunds/s and the latency from
/// submission to money arrived. With `--soak` it runs ``Soak`` instead: a mix of channels through
/// the mesh and `provider-sandbox` with injected provider faults, then the invariants.
@main
struct RefundBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund-bench",
        abstract: "Drive refunds through a running RefundMesh and measure submit-to-money-arrived latency."
    )

    @Option(help: "How many refunds.") var refunds = 1_000
    @Option(help: "How many in flight at once (with --rate: at most).") var concurrency = 32
    @Option(
        help: """
            Open loop: start refunds at this many per second, whatever the mesh's answers, and time \
            each from when it was due (so a mesh that falls behind shows it in the latencies).
            """
    )
    var rate: Double?
    @Option(help: "Payment method of the orders: balance or wechat.") var method = "balance"
    @Option(help: "intake's address.") var intake = "127.0.0.1:7001"
    @Option(help: "review's address.") var review = "127.0.0.1:7002"
    @Option(help: "payment-channel's address.") var paymentChannel = "127.0.0.1:7003"
    @Flag(help: "Print one JSON line.") var json = false
    @Option(
        help: """
            Once the orders and payments are recorded, write this file and wait for it \
            to be removed (at most 30 s) before the first refund: a script samples the services' CPU in between, \
            so that the setup's share can be told from the refunds' (scripts/bench-mesh.sh).
            """
    )
    var setupDoneFile: String?
    @Flag(help: "Soak: balance, WeChat, Alipay and bank refunds through the mesh and provider-sandbox with faults.")
    var soak = false
    @Option(help: "Soak: provider-sandbox's address (its control API).") var sandbox = "http://127.0.0.1:7080"
    @Option(help: "Soak: notification's address.") var notification = "127.0.0.1:7004"
    @Option(help: "Soak: share of provider requests that misbehave, 0…1.") var faultRate = 0.05
    @Option(help: "Soak: seed of the sandbox's fault generator.") var seed: UInt64 = 42
    @Option(help: "Soak: seconds to wait for every refund to settle.") var settleTimeout = 1_800
    @Option(help: "Soak: file for the end state of every refund (JSON lines).")
    var endStates = "soak-end-states.jsonl"
    @Option(
        help: "The key set to sign calls with: platform feeds, users' requests, operators' reads (docs/SECURITY.md)."
    )
    var keys = ProcessInfo.processInfo.environment["REFUNDMESH_AUTH_DIR"] ?? "./data/auth"

    func validate() throws {
        guard refunds > 0, concurrency > 0 else { throw ValidationError("--refunds and --concurrency must be above 0") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be above 0 refunds/s") }
        guard ["balance", "wechat"].contains(method) else { throw ValidationError("--method is balance or wechat") }
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate is between 0 and 1") }
    }

    func run() async throws {
        if soak { return try await runSoak() }
        let intakeRPC = try client(intake, "intake")
        let paymentRPC = try client(paymentChannel, "payment-channel")
        let intakeClient = Intake.Client(intakeRPC)
        let payments = PaymentChannel.Client(paymentRPC)
        let run = String(Int64(Date().timeIntervalSince1970 * 1000), radix: 36)
        let paymentMethod: PaymentMethod = method == "balance" ? .balance : .wechatPay
        let paidAt = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000

        // The platform's facts first: orders and payments, not measured.
        try await Self.forEach(0..<refunds, concurrency: concurrency) { index in
            let orderID = "bench-\(run)-\(index)"
            let user = "bench-user-\(index)"
            _ = try await intakeClient.recordOrder(
                RecordOrderRequest(
                    order: Order(
                        orderID: orderID,
                        userID: user,
                        productKind: .cardKey,
                        sku: "bench",
                        productName: "bench card",
                        priceFen: 1_000 + Int64(index % 100),
                        paidAtMs: paidAt,
                        cardKeyID: "ck-\(orderID)"
                    )
                )
            )
            _ = try await payments.recordPayment(
                CapturedPayment(
                    paymentID: "pay-\(orderID)",
                    orderID: orderID,
                    userID: user,
                    method: paymentMethod,
                    amountFen: 1_000 + Int64(index % 100),
                    capturedAtMs: paidAt
                )
            )
        }

        if let setupDoneFile { await Self.handOver(setupDoneFile) }

        let histogram = Mutex(
            Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        )
        let failures = Mutex<[String]>([])
        let start = ContinuousClock.now
        let late = Mutex(0)
        let refund: @Sendable (Int, ContinuousClock.Instant) async throws -> Void = { index, submitted in
            let orderID = "bench-\(run)-\(index)"
            let user = "bench-user-\(index)"
            let view = try await intakeClient.submitRefund(
                SubmitRefundRequest(
                    idempotencyKey: "bench-\(orderID)",
                    userID: user,
                    orderID: orderID,
                    source: .orderPage,
                    ground: .notUsed,
                    reasonStatement: "Benchmark refund: the card key was never redeemed and the proofs are attached.",
                    attachments: [
                        Attachment(
                            kind: .orderProof,
                            fileName: "o.txt",
                            contentType: "text/plain",
                            content: Array(orderID.utf8)
                        ),
                        Attachment(kind: .paymentProof, fileName: "p.txt", contentType: "text/plain", content: [1]),
                        Attachment(kind: .nonUseProof, fileName: "n.txt", contentType: "text/plain", content: [2]),
                    ],
                    destination: .original
                )
            )
            let final = try await intakeClient.watchRefund(GetRefundRequest(userID: user, refundID: view.refundID)) {
                stream in
                var last = view.state
                for try await update in stream {
                    last = update.state
                    if last.isFinal { break }
                }
                return last
            }
            let micros =
                UInt64((ContinuousClock.now - submitted).components.attoseconds / 1_000_000_000_000)
                + UInt64((ContinuousClock.now - submitted).components.seconds) * 1_000_000
            if final == .moneyArrived {
                _ = histogram.withLock { $0.record(micros) }
            } else {
                failures.withLock { $0.append("\(view.refundID) ended \(final)") }
            }
        }
        if let rate {
            try await Self.openLoop(refunds: refunds, rate: rate, cap: concurrency, start: start, late: late, refund)
        } else {
            try await Self.forEach(0..<refunds, concurrency: concurrency) { index in
                try await refund(index, ContinuousClock.now)
            }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let done = histogram.withLock { $0 }
        let failed = failures.withLock { $0 }
        let achieved = Double(done.totalCount) / seconds
        let lateStarts = late.withLock { $0 }
        func us(_ percentile: Double) -> UInt64 { done.totalCount == 0 ? 0 : done.valueAtPercentile(percentile) }
        if json {
            let target = rate.map { ",\"target_rate\":\($0),\"late_starts\":\(lateStarts)" } ?? ""
            print(
                "{\"refunds\":\(done.totalCount),\"failed\":\(failed.count),\"concurrency\":\(concurrency),\"method\":\"\(method)\","
                    + "\"refunds_per_s\":\(Int(achieved)),\"p50_us\":\(us(50)),\"p90_us\":\(us(90)),\"p99_us\":\(us(99)),\"max_us\":\(done.max)"
                    + target + "}"
            )
        } else {
            print(
                "refund-bench: \(done.totalCount) refunds to \(method) reached MONEY_ARRIVED, \(failed.count) did not, concurrency \(concurrency)"
            )
            if let rate {
                print(
                    "  open loop at \(rate) refunds/s; \(lateStarts) started late because \(concurrency) were in flight"
                )
            }
            print("  throughput: \(Int(achieved)) refunds/s over \(String(format: "%.2f", seconds)) s")
            print("  submit → money arrived, µs: p50 \(us(50))  p90 \(us(90))  p99 \(us(99))  max \(done.max)")
            for failure in failed.prefix(5) { print("  not arrived: \(failure)") }
        }
        await intakeRPC.close()
        await paymentRPC.close()
        if !failed.isEmpty || done.totalCount == 0 { throw ExitCode(1) }
    }

    private func runSoak() async throws {
        let intakeRPC = try client(intake, "intake")
        let paymentRPC = try client(paymentChannel, "payment-channel")
        let notificationRPC = try client(notification, "notification")
        let forEach: @Sendable (Range<Int>, Int, @escaping @Sendable (Int) async throws -> Void) async throws -> Void =
            {
                try await Self.forEach($0, concurrency: $1, $2)
            }
        let soak = Soak(
            refunds: refunds,
            concurrency: concurrency,
            faultRate: faultRate,
            seed: seed,
            settleTimeout: .seconds(settleTimeout),
            endStatesPath: URL(fileURLWithPath: endStates).standardizedFileURL.path,
            intake: Intake.Client(intakeRPC),
            payments: PaymentChannel.Client(paymentRPC),
            notification: RefundMeshAPI.Notification.Client(notificationRPC),
            sandbox: SandboxControlClient(baseURL: sandbox),
            forEach: forEach
        )
        let report = try await soak.run()
        report.print(faultRate: faultRate, concurrency: concurrency)
        await intakeRPC.close()
        await paymentRPC.close()
        await notificationRPC.close()
        if !report.ok { throw ExitCode(1) }
    }

    /// Writes `path` and waits until it is gone (the sampling script's answer), for at most 30 s.
    private static func handOver(_ path: String) async {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            FileHandle.standardError.write(Data("refund-bench: cannot write \(path); going on\n".utf8))
            return
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while FileManager.default.fileExists(atPath: path), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    private func client(_ address: String, _ name: String) throws -> RPCClient {
        guard let endpoint = Endpoint(address) else {
            throw ValidationError("--\(name) \"\(address)\" is not host:port")
        }
        var configuration = RPCClient.Configuration(endpoints: [endpoint])
        configuration.defaultTimeout = .seconds(60)
        let keyring = try KeySet(directory: URL(fileURLWithPath: keys)).keyring()
        configuration.interceptors = [
            KeyringCredentials(
                minter: TokenMinter(keys: keyring),
                policy: AccessPolicy.refundMesh,
                subject: "refund-bench"
            )
        ]
        return RPCClient(configuration: configuration)
    }

    /// Starts refund `i` at `start + i / rate`, at most `cap` in flight; a refund that must wait
    /// for a slot still counts its latency from when it was due (no coordinated omission), and is
    /// counted in `late`.
    private static func openLoop(
        refunds: Int,
        rate: Double,
        cap: Int,
        start: ContinuousClock.Instant,
        late: borrowing Mutex<Int>,
        _ body: @escaping @Sendable (Int, ContinuousClock.Instant) async throws -> Void
    ) async throws {
        let inFlight = InFlight()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<refunds {
                let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                try await Task.sleep(until: due, clock: .continuous)
                if inFlight.count.load(ordering: .acquiring) >= cap {
                    late.withLock { $0 += 1 }
                    while inFlight.count.load(ordering: .acquiring) >= cap { try await group.next() }
                }
                inFlight.count.add(1, ordering: .releasing)
                group.addTask {
                    defer { inFlight.count.subtract(1, ordering: .releasing) }
                    try await body(index, due)
                }
            }
            try await group.waitForAll()
        }
    }

    /// Runs `body` for every element, at most `concurrency` at once.
    private static func forEach(
        _ range: Range<Int>,
        concurrency: Int,
        _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = range.lowerBound
            while next < range.upperBound && next - range.lowerBound < concurrency {
                let index = next
                group.addTask { try await body(index) }
                next += 1
            }
            while try await group.next() != nil {
                if next < range.upperBound {
                    let index = next
                    group.addTask { try await body(index) }
                    next += 1
                }
            }
        }
    }
}

/// Refunds started and not yet finished, in ``RefundBench``'s open loop.
private final class InFlight: Sendable {
    let count = Atomic<Int>(0)
}
