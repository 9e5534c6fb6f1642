import AsyncHTTPClient
import Foundation
import GRDB
import RefundMeshAPI
import RefundMeshRPC
import Testing

/// What operators get: the compose file's settings run the real binaries, healthchecks, metrics,
/// a trace id through every service's logs, drain, and online backup with restore.
@Suite("deployment and operations")
struct DeploymentMeshTests {
    @Test(
        "docker-compose's environment runs the real binaries: healthchecks pass, every setting is documented by its binary, the one-line demo runs, every metrics endpoint has its series, refundctl status/outbox/top show the mesh"
    )
    func composeEnvironment() async throws {
        let mesh = try await ComposeMesh()
        for name in ComposeMesh.startOrder {
            // A setting the binary does not name would be silently ignored: the file drifted.
            let help = try await runProcess(ComposeMesh.binary(mesh.services[name]!.product), ["serve", "--help"])
            for key in mesh.services[name]!.environment.keys.sorted() {
                let base = key.hasSuffix("_FILE") ? String(key.dropLast("_FILE".count)) : key
                #expect(help.output.contains(key) || help.output.contains(base), "\(name) --help does not name \(key)")
            }
        }
        for name in ComposeMesh.initOrder {
            let run = try await mesh.runToCompletion(name)
            #expect(run.status == 0, "\(name): \(run.output)")
        }
        for name in ComposeMesh.startOrder {
            try await mesh.start(name)
            let check = try await mesh.healthcheck(name)
            #expect(check.status == 0, "\(name) healthcheck: \(check.output)")
        }
        // `docker-compose run --rm refundctl demo`: refundctl's compose environment, command `demo`.
        let demo = try await runProcess(
            ComposeMesh.binary("refundctl"),
            ["demo"],
            environment: mesh.processEnvironment("refundctl")
        )
        #expect(demo.status == 0, "\(demo.output)")
        #expect(demo.output.contains("moneyArrived"), "\(demo.output)")
        // Compose turns mutual TLS on: a plaintext caller is refused, even for health.
        let plaintext = mesh.client("intake")
        await #expect(throws: RPCError.self) {
            _ = try await Health.Client(plaintext).check(
                HealthCheckRequest(),
                options: CallOptions(timeout: .seconds(20))
            )
        }
        await plaintext.close()

        // Every metrics endpoint, scraped as services/prometheus/prometheus.yml does.
        let expected: [String: [String]] = [
            "intake": ["intake_refunds", "refundmesh_outbox_delivered_total", "rpc_client_calls_total"],
            "review": ["review_cases", "refundmesh_outbox_delivered_total"],
            "payment-channel": [
                "payment_refunds", "payment_provider_calls_total", "refundmesh_outbox_delivered_total",
            ],
            "notification": ["notification_inbox_items"],
        ]
        let common = [
            "rpc_server_calls_total", "rpc_server_call_duration_seconds_count", "refundmesh_build_info",
            "refundmesh_store_size_bytes", "refundmesh_sqlite_memory_bytes", "refundmesh_resident_memory_bytes",
        ]
        for (name, series) in expected {
            let prefix = name.uppercased().replacingOccurrences(of: "-", with: "_")
            let port = try #require(Int(mesh.services[name]!.environment["\(prefix)_METRICS_PORT"] ?? ""))
            // Gauges are sampled every 5 s: wait for a sample after the demo.
            var missing = common + series
            let deadline = ContinuousClock.now + .seconds(30)
            var text = ""
            while !missing.isEmpty && ContinuousClock.now < deadline {
                text = try await Self.scrape(port: port)
                missing = (common + series).filter { Self.nonZero($0, in: text) == nil }
                if !missing.isEmpty { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(missing.isEmpty, "\(name) metrics lack non-zero \(missing):\n\(text.prefix(3000))")
        }

        let ctl = mesh.processEnvironment("refundctl")
        let status = try await runProcess(ComposeMesh.binary("refundctl"), ["status"], environment: ctl)
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output.components(separatedBy: "SERVING").count - 1 == 4, "\(status.output)")
        let outbox = try await runProcess(ComposeMesh.binary("refundctl"), ["outbox"], environment: ctl)
        #expect(outbox.status == 0 && outbox.output.contains("payment-channel:"), "\(outbox.output)")
        let top = try await runProcess(
            ComposeMesh.binary("refundctl"),
            ["top", "--iterations", "2", "--interval", "0.5"],
            environment: ctl
        )
        #expect(top.status == 0, "\(top.output)")
        #expect(top.output.contains("moneyArrived") && top.output.contains("payment-channel "), "\(top.output)")

        for name in ComposeMesh.startOrder.reversed() {
            #expect(try await mesh.stop(name) == 0, "\(name) exits cleanly on SIGTERM")
        }
    }

    @Test("one trace id follows a refund through the JSON logs of intake, review, payment-channel and notification")
    func traceThroughLogs() async throws {
        let mesh = try Mesh(extraEnvironment: [
            "PAYMENT_SANDBOX_SETTLE_MILLIS": "100", "REFUNDMESH_LOG_FORMAT": "json", "REFUNDMESH_LOG_LEVEL": "debug",
        ])
        try await mesh.start()
        let clients = Mesh.names.reduce(into: [String: RPCClient]()) { $0[$1] = mesh.client($1) }
        let platform = MeshStoryTests.Platform(
            intake: Intake.Client(clients["intake"]!),
            review: Review.Client(clients["review"]!),
            payments: PaymentChannel.Client(clients["payment-channel"]!),
            notification: RefundMeshAPI.Notification.Client(clients["notification"]!)
        )
        try await platform.sell("traced", kind: .cardKey, price: 8_000, user: "u-trace")
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let submitted = try await platform.intake.submitRefund(
            SubmitRefundRequest(
                idempotencyKey: "key-traced",
                userID: "u-trace",
                orderID: "traced",
                source: .orderPage,
                ground: .notUsed,
                reasonStatement: "The card key was never used; the order and payment proofs are attached.",
                attachments: [
                    Attachment(kind: .orderProof, fileName: "order.png", contentType: "image/png", content: [1]),
                    Attachment(kind: .paymentProof, fileName: "pay.png", contentType: "image/png", content: [2]),
                    Attachment(kind: .nonUseProof, fileName: "proof.png", contentType: "image/png", content: [3]),
                ],
                destination: .original,
                locale: "en"
            ),
            options: CallOptions(metadata: ["x-trace-id": trace])
        )
        let arrived = try await platform.await(submitted.refundID, .moneyArrived, user: "u-trace")
        #expect(arrived.state == .moneyArrived)
        // The notification of the step reaches notification's inbox under the same trace.
        let deadline = ContinuousClock.now + .seconds(30)
        var seenIn: Set<String> = []
        while seenIn.count < 4 && ContinuousClock.now < deadline {
            seenIn = Set(
                Mesh.names.filter { name in
                    Self.jsonLines(mesh.processes[name]!.logFile).contains { $0["trace.id"] as? String == trace }
                }
            )
            if seenIn.count < 4 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(seenIn == Set(Mesh.names), "trace \(trace) seen only in \(seenIn.sorted())")
        for name in Mesh.names {
            let lines = Self.jsonLines(mesh.processes[name]!.logFile)
            #expect(!lines.isEmpty, "\(name) writes JSON lines")
            // Every line written while serving a call carries that call's trace.
            let untraced = lines.filter { $0["rpc.method"] != nil && $0["trace.id"] == nil }
            #expect(untraced.isEmpty, "\(name): call log lines without trace.id: \(untraced.prefix(3))")
        }
        for client in clients.values { await client.close() }
        _ = try await mesh.stop()
    }

    @Test("drain: health NOT_SERVING and new calls UNAVAILABLE until resumed; drain --exit stops the process cleanly")
    func drain() async throws {
        let intake = try ServiceProcess("intake")
        try await intake.start()
        let client = intake.client()
        let operations = Operations.Client(client)
        let health = RefundMeshRPC.Health.Client(client)
        let order = Order(
            orderID: "o-drain",
            userID: "u-1",
            productKind: .cardKey,
            sku: "s",
            productName: "p",
            priceFen: 100,
            paidAtMs: Int64(Date().timeIntervalSince1970 * 1000),
            cardKeyID: "ck"
        )
        _ = try await Intake.Client(client).recordOrder(RecordOrderRequest(order: order))
        let drained = try await operations.drain(DrainRequest())
        #expect(drained.draining && !drained.exiting)
        #expect(try await health.check(HealthCheckRequest()).status == .notServing)
        #expect(try await operations.status(StatusRequest()).draining)
        await #expect(throws: RPCError.self) {
            _ = try await Intake.Client(client).recordOrder(
                RecordOrderRequest(order: order),
                options: CallOptions(maxAttempts: 1)
            )
        }
        do {
            _ = try await Intake.Client(client).recordOrder(
                RecordOrderRequest(order: order),
                options: CallOptions(maxAttempts: 1)
            )
        } catch let error as RPCError {
            #expect(error.code == .unavailable && error.message.contains("drained"), "\(error)")
        }
        let resumed = try await operations.drain(DrainRequest(resume: true))
        #expect(!resumed.draining)
        #expect(try await health.check(HealthCheckRequest()).status == .serving)
        _ = try await Intake.Client(client).recordOrder(RecordOrderRequest(order: order))
        let exiting = try await operations.drain(DrainRequest(exit: true))
        #expect(exiting.exiting)
        await client.close()
        // It stops by itself, cleanly; stop() only waits when the process is already gone.
        let deadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < deadline, intake.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!intake.isRunning, "drain --exit stopped the process")
        #expect(try await intake.stop() == 0)
        let log = try String(contentsOf: intake.logFile, encoding: .utf8)
        #expect(log.contains("drained by an operator; stopping"), "\(log)")
    }

    @Test(
        "online backup while orders are written: a sound copy, and the documented restore brings the service back with it"
    )
    func backupAndRestore() async throws {
        let intake = try ServiceProcess("intake")
        try await intake.start()
        let client = intake.client()
        let api = Intake.Client(client)
        let paidAt = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        func order(_ index: Int) -> RecordOrderRequest {
            RecordOrderRequest(
                order: Order(
                    orderID: "o-\(index)",
                    userID: "u-\(index % 7)",
                    productKind: .cardKey,
                    sku: "s",
                    productName: "p",
                    priceFen: 100 + Int64(index),
                    paidAtMs: paidAt,
                    cardKeyID: "ck-\(index)"
                )
            )
        }
        for index in 0..<100 { _ = try await api.recordOrder(order(index)) }
        // Writes go on while the copy is made.
        let backup = try await withThrowingTaskGroup(of: BackupStoreResponse?.self) { group in
            group.addTask {
                for index in 100..<300 { _ = try await api.recordOrder(order(index)) }
                return nil
            }
            group.addTask { try await Operations.Client(client).backupStore(BackupStoreRequest()) }
            var answer: BackupStoreResponse?
            for try await result in group { if let result { answer = result } }
            return try #require(answer)
        }
        let copy = try #require(backup.backups.first)
        #expect(backup.backups.count == 1 && copy.store == "intake")
        #expect(copy.integrity == "ok")
        #expect(copy.path.hasPrefix(intake.dataDirectory.path + "/backups/intake-"))
        let inCopy = try await DatabaseQueue(path: copy.path).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders")!
        }
        #expect(inCopy >= 100 && inCopy <= 300, "the copy holds a consistent prefix: \(inCopy)")
        // Asking for a store it does not have names the ones it has.
        do {
            _ = try await Operations.Client(client).backupStore(BackupStoreRequest(store: "nope"))
            Issue.record("a backup of an unknown store succeeded")
        } catch let error as RPCError {
            #expect(error.code == .notFound && error.message.contains("intake"), "\(error)")
        }
        await client.close()
        #expect(try await intake.stop() == 0)

        // docs/OPERATIONS.md: stop, copy the backup over the store, remove -wal and -shm, start.
        let store = intake.dataDirectory.appendingPathComponent("intake.sqlite").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
        try FileManager.default.copyItem(atPath: copy.path, toPath: store)
        try await intake.start()
        let restored = intake.client()
        for index in [0, 50, 99] {
            // Recording the same order again is idempotent: it is there, with its price.
            _ = try await Intake.Client(restored).recordOrder(order(index))
        }
        let count = try await DatabaseQueue(path: store).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM orders")!
        }
        #expect(count == inCopy, "after restore the store holds exactly the backup's orders")
        await restored.close()
        #expect(try await intake.stop() == 0)
    }

    @Test("a metrics port already taken stops the service with an error that names the setting (no hang)")
    func metricsPortTaken() async throws {
        let first = try ServiceProcess("intake")
        try await first.start()
        let client = first.client()
        let taken = try await Operations.Client(client).status(StatusRequest()).metricsPort
        #expect(taken > 0)
        await client.close()
        let second = try ServiceProcess("intake")
        let result = try await runProcess(
            "/usr/bin/timeout",
            [
                "60", ServiceProcess.productsDirectory.appendingPathComponent("intake").path, "--port", "0",
                "--metrics-port", "\(taken)", "--data-dir", second.dataDirectory.path,
            ]
        )
        #expect(result.status == 1, "exit \(result.status) (124: it hung until timeout killed it)")
        #expect(
            result.output.contains("the metrics endpoint could not listen on 127.0.0.1:\(taken)"),
            "\(result.output)"
        )
        #expect(try await first.stop() == 0)
    }

    // MARK: Helpers

    static func scrape(port: Int) async throws -> String {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"),
            timeout: .seconds(10)
        )
        let body = try await response.body.collect(upTo: 8 << 20)
        return String(buffer: body)
    }

    /// The first sample of `name` (any labels) with a value above zero.
    static func nonZero(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { continue }
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }), value > 0 { return value }
        }
        return nil
    }

    static func jsonLines(_ file: URL) -> [[String: Any]] {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}
