import ArgumentParser
import Foundation
import RefundMeshRPC

/// `refundctl top`: the mesh live, in the terminal — each service's health, call rate, errors,
/// p99 latency, outbox and memory, then refunds by state and channel, the reviewer queue and
/// deliveries. Rates and the p99 are over the last interval, from the services' Prometheus
/// metrics (read through the Operations `Metrics` call, so it needs only the RPC addresses).
struct Top: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the mesh live: health, calls/s, errors, p99, outbox, refunds, queue, deliveries.",
        discussion: "Redraws every --interval seconds until Ctrl-C; --iterations N stops after N screens."
    )

    @OptionGroup var mesh: MeshAddresses
    @Option(help: "Seconds between screens.")
    var interval: Double = 2
    @Option(help: "Stop after this many screens (0: until Ctrl-C).")
    var iterations: Int = 0

    func run() async throws {
        let clients = try MeshClients(mesh)
        var previous: [String: [PrometheusSample]] = [:]
        var previousAt = ContinuousClock.now
        var screen = 0
        // Redraw in place on a terminal; plain screens one after another when piped.
        let terminal = isatty(STDOUT_FILENO) == 1
        while iterations == 0 || screen < iterations {
            if screen > 0 { try await Task.sleep(for: .milliseconds(Int64(interval * 1000))) }
            let now = ContinuousClock.now
            let seconds = max(
                0.001,
                Double((now - previousAt).components.seconds) + Double((now - previousAt).components.attoseconds) / 1e18
            )
            var current: [String: [PrometheusSample]] = [:]
            var rows: [String] = []
            for (name, _) in mesh.all {
                let rpc = clients.rpc[name]!
                do {
                    let status = try await Operations.Client(rpc).status(
                        StatusRequest(),
                        options: CallOptions(timeout: .seconds(3))
                    )
                    let samples = PrometheusText.parse(
                        try await Operations.Client(rpc).metrics(
                            MetricsRequest(),
                            options: CallOptions(timeout: .seconds(3))
                        ).text
                    )
                    current[name] = samples
                    rows.append(
                        Self.serviceRow(
                            name,
                            status: status,
                            samples: samples,
                            before: previous[name],
                            seconds: seconds
                        )
                    )
                } catch {
                    rows.append(Self.cells([name, "DOWN", "\(error)"]))
                }
            }
            var lines = [
                "RefundMesh top — \(Self.clock()) — every \(interval)s"
                    + (screen == 0 ? " (rates from the next screen)" : ""),
                "",
                Self.cells(["service", "health", "calls/s", "errors/s", "p99 ms", "outbox", "oldest", "rss", "uptime"]),
            ]
            lines += rows
            lines.append("")
            lines += Self.domainLines(current)
            if terminal { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(lines.joined(separator: "\n"))
            fflush(nil)
            previous = current
            previousAt = now
            screen += 1
        }
        await clients.close()
    }

    /// Calls that are the mesh's work, not its upkeep (health checks, operations, top itself).
    static func isUpkeep(_ labels: [String: String]) -> Bool {
        let method = labels["method"] ?? ""
        return method.hasPrefix("/refundmesh.health.") || method.hasPrefix("/refundmesh.operations.")
            || method.hasPrefix("/refundmesh.reflection.")
    }

    static func serviceRow(
        _ name: String,
        status: StatusResponse,
        samples: [PrometheusSample],
        before: [PrometheusSample]?,
        seconds: Double
    ) -> String {
        var rate = "-"
        var errors = "-"
        var p99 = "-"
        if let before {
            let calls =
                samples.sum("rpc_server_calls_total", excluding: isUpkeep)
                - before.sum("rpc_server_calls_total", excluding: isUpkeep)
            let failed =
                samples.sum("rpc_server_calls_total", excluding: { isUpkeep($0) || $0["code"] == "OK" })
                - before.sum("rpc_server_calls_total", excluding: { isUpkeep($0) || $0["code"] == "OK" })
            rate = String(format: "%.1f", calls / seconds)
            errors = String(format: "%.1f", failed / seconds)
            if let quantile = Self.quantile(0.99, now: samples, before: before) {
                p99 = String(format: "%.1f", quantile * 1000)
            }
        }
        let pending = status.outbox.reduce(0) { $0 + $1.pending }
        let oldest = status.outbox.map(\.oldestPendingAgeMs).max() ?? 0
        let health = status.draining ? "DRAINED" : "SERVING"
        let uptime = Format.age(ms: Int64(Date().timeIntervalSince1970 * 1000) - status.startedAtMs)
        return cells([
            name, health, rate, errors, p99, "\(pending)", pending > 0 ? Format.age(ms: oldest) : "-",
            Format.bytes(status.residentBytes), uptime,
        ])
    }

    /// The `q` quantile of the server's call durations over the interval, from the histogram
    /// buckets' growth (upper bound of the bucket it falls in, as Prometheus's histogram_quantile).
    static func quantile(_ q: Double, now: [PrometheusSample], before: [PrometheusSample]) -> Double? {
        var growth: [Double: Double] = [:]
        for sample in now where sample.name == "rpc_server_call_duration_seconds_bucket" && !isUpkeep(sample.labels) {
            guard let bound = sample.labels["le"].flatMap({ $0 == "+Inf" ? Double.infinity : Double($0) }) else {
                continue
            }
            growth[bound, default: 0] += sample.value
        }
        for sample in before where sample.name == "rpc_server_call_duration_seconds_bucket" && !isUpkeep(sample.labels)
        {
            guard let bound = sample.labels["le"].flatMap({ $0 == "+Inf" ? Double.infinity : Double($0) }) else {
                continue
            }
            growth[bound, default: 0] -= sample.value
        }
        let bounds = growth.keys.sorted()
        guard let total = bounds.last.flatMap({ growth[$0] }), total > 0 else { return nil }
        for bound in bounds where growth[bound]! >= q * total { return bound.isFinite ? bound : bounds.dropLast().last }
        return nil
    }

    /// Refunds by state and channel, the reviewer queue, deliveries, provider outcomes.
    static func domainLines(_ samples: [String: [PrometheusSample]]) -> [String] {
        var lines: [String] = []
        func grouped(_ list: [PrometheusSample]?, _ name: String, by label: String) -> String {
            var totals: [String: Double] = [:]
            for sample in list ?? [] where sample.name == name {
                totals[sample.labels[label] ?? "", default: 0] += sample.value
            }
            let parts = totals.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value))" }
            return parts.isEmpty ? "none" : parts.joined(separator: ", ")
        }
        lines.append("refunds at intake:        " + grouped(samples["intake"], "intake_refunds", by: "state"))
        lines.append("payments by state:        " + grouped(samples["payment-channel"], "payment_refunds", by: "state"))
        lines.append(
            "payments by channel:      " + grouped(samples["payment-channel"], "payment_refunds", by: "channel")
        )
        lines.append(
            "provider calls:           "
                + grouped(samples["payment-channel"], "payment_provider_calls_total", by: "outcome")
        )
        lines.append("review cases:             " + grouped(samples["review"], "review_cases", by: "outcome"))
        lines.append("reviewer queue:           " + grouped(samples["review"], "review_queue_cases", by: "claim"))
        lines.append("SLA escalation (0/1/2):   " + grouped(samples["review"], "review_sla_cases", by: "escalation"))
        lines.append(
            "deliveries:               " + grouped(samples["notification"], "notification_deliveries", by: "state")
        )
        return lines
    }

    static let widths = [16, 9, 9, 9, 8, 8, 8, 8]

    static func cells(_ values: [String]) -> String {
        var line = ""
        for (index, value) in values.enumerated() {
            line += index < widths.count && index < values.count - 1 ? value.padding(to: widths[index]) : value
        }
        return line
    }

    static func clock() -> String {
        var seconds = time_t(Date().timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
