import ArgumentParser
import Foundation
import Histogram
import Logging
import RPCBenchAPI
import RefundMeshAuth
import RefundMeshRPC

struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Closed-loop unary Echo load: N callers, each with one call in flight, over C connections."
    )

    @Option(help: "Server host.")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int = 50051

    @Option(help: "Connections (one RPCClient, so one TCP connection, each).")
    var connections: Int = 1

    @Option(help: "Concurrent callers, spread round-robin over the connections.")
    var concurrency: Int = 1

    @Option(help: "Measured seconds, after the warm-up.")
    var duration: Double = 10

    @Option(help: "Warm-up seconds (not measured).")
    var warmup: Double = 1

    @Option(help: "Request payload bytes.")
    var payload: Int = 64

    @Option(help: "Linux: the server's pid; its CPU use over the window is reported.")
    var serverPid: Int32?

    @Option(help: "Where Swift tasks run: nio (event loops) or default (cooperative pool).")
    var executor: ExecutorChoice = .nio

    @Flag(help: "Print one JSON line instead of the report.")
    var json = false

    @Option(help: "Sign every call with this key set's review key, as services do (pair with `serve --auth`).")
    var auth: String?

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be above 0") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
        guard payload >= 0 else { throw ValidationError("--payload must be 0 or more") }
    }

    struct CallerResult: Sendable {
        var histogram: Histogram<UInt64>
        var completed = 0
        var errors = 0
        var firstError: String?
    }

    func run() async throws {
        executor.install()
        var interceptors: [any ClientInterceptor] = []
        if let auth {
            let keyring = try KeySet(directory: URL(fileURLWithPath: auth)).keyring().filter {
                $0.key.issuer == "review"
            }
            interceptors.append(
                ServiceCredentials(minter: TokenMinter(keys: keyring), service: .review, peer: "rpc-bench")
            )
        }
        let clients = (0..<connections).map { _ in
            var configuration = RPCClient.Configuration(endpoints: [Endpoint(host: host, port: port)])
            configuration.interceptors = interceptors
            return RPCClient(configuration: configuration)
        }
        let start = monotonicNanos()
        let measureStart = start + UInt64(warmup * 1e9)
        let measureEnd = measureStart + UInt64(duration * 1e9)
        let payloadBytes = [UInt8](repeating: 0xA5, count: payload)
        let payloadSize = payload
        let serverPid = self.serverPid

        let cpuTask = Task { () -> (window: UInt64, client: UInt64, server: UInt64?) in
            try? await Task.sleep(for: .nanoseconds(Int64(measureStart &- min(measureStart, monotonicNanos()))))
            let client0 = selfCPUNanos()
            let server0 = serverPid.flatMap(processCPUNanos)
            let wall0 = monotonicNanos()
            try? await Task.sleep(for: .nanoseconds(Int64(measureEnd &- min(measureEnd, monotonicNanos()))))
            let client1 = selfCPUNanos()
            let server1 = serverPid.flatMap(processCPUNanos)
            let wall1 = monotonicNanos()
            let server = server0.flatMap { s0 in server1.map { $0 - s0 } }
            return (wall1 - wall0, (client1.user + client1.system) - (client0.user + client0.system), server)
        }

        var merged = Self.makeHistogram()
        var completed = 0
        var errors = 0
        var firstError: String?
        try await withThrowingTaskGroup(of: CallerResult.self) { tasks in
            for caller in 0..<concurrency {
                let echo = Echo.Client(clients[caller % clients.count])
                tasks.addTask {
                    var result = CallerResult(histogram: Self.makeHistogram())
                    var request = EchoRequest(payload: payloadBytes, id: Int64(caller) << 40, note: "anchor")
                    while true {
                        let t0 = monotonicNanos()
                        if t0 >= measureEnd { break }
                        request.id &+= 1
                        var ok = true
                        do {
                            let response = try await echo.echo(request)
                            ok = response.id == request.id && response.payload.count == payloadSize
                            if !ok, result.firstError == nil { result.firstError = "wrong echo for id \(request.id)" }
                        } catch {
                            ok = false
                            if result.firstError == nil { result.firstError = "\(error)" }
                        }
                        let t1 = monotonicNanos()
                        if t1 >= measureStart && t1 <= measureEnd {
                            if ok {
                                _ = result.histogram.record(t1 - t0)
                                result.completed += 1
                            } else {
                                result.errors += 1
                            }
                        }
                    }
                    return result
                }
            }
            for try await result in tasks {
                merged.add(result.histogram)
                completed += result.completed
                errors += result.errors
                firstError = firstError ?? result.firstError
            }
        }
        let cpu = await cpuTask.value
        for client in clients { await client.close() }

        let seconds = duration
        let rps = Double(completed) / seconds
        func micros(_ percentile: Double) -> Double {
            completed == 0 ? 0 : Double(merged.valueAtPercentile(percentile)) / 1000
        }
        let maxMicros = completed == 0 ? 0 : Double(merged.max) / 1000
        let meanMicros = completed == 0 ? 0 : merged.mean / 1000
        let window = Double(max(cpu.window, 1))
        let clientCPU = Double(cpu.client) / window * 100
        let serverCPU = cpu.server.map { Double($0) / window * 100 }
        if json {
            var fields = [
                "\"rps\":\(fmt(rps, 1))", "\"p50_us\":\(fmt(micros(50), 1))", "\"p90_us\":\(fmt(micros(90), 1))",
                "\"p99_us\":\(fmt(micros(99), 1))", "\"max_us\":\(fmt(maxMicros, 1))",
                "\"mean_us\":\(fmt(meanMicros, 1))",
                "\"requests\":\(completed)", "\"errors\":\(errors)", "\"connections\":\(connections)",
                "\"concurrency\":\(concurrency)", "\"payload\":\(payload)", "\"duration_s\":\(fmt(duration, 3))",
                "\"warmup_s\":\(fmt(warmup, 3))", "\"client_cpu_pct\":\(fmt(clientCPU, 1))",
            ]
            fields.append("\"server_cpu_pct\":\(serverCPU.map { fmt($0, 1) } ?? "null")")
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            print(
                "rpc-bench load: \(host):\(port) connections=\(connections) concurrency=\(concurrency) payload=\(payload)B duration=\(fmt(duration, 1))s warmup=\(fmt(warmup, 1))s executor=\(executor.rawValue)"
            )
            print("  requests:   \(completed) ok, \(errors) errors\(firstError.map { " (first: \($0))" } ?? "")")
            print("  throughput: \(fmt(rps, 1)) req/s")
            print(
                "  latency us: p50 \(fmt(micros(50), 1))  p90 \(fmt(micros(90), 1))  p99 \(fmt(micros(99), 1))  max \(fmt(maxMicros, 1))  (mean \(fmt(meanMicros, 1)))"
            )
            var line = "  cpu:        client \(fmt(clientCPU, 1))%"
            if let serverCPU { line += ", server \(fmt(serverCPU, 1))%" }
            print(line + "  (100% = one core, measurement window only)")
        }
        if completed == 0 { throw ExitCode.failure }
    }

    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: 60_000_000_000,
            numberOfSignificantValueDigits: .three
        )
    }
}
