import AsyncHTTPClient
import Foundation
import Logging
import PaymentChannelNotifications
import PaymentChannelService
import ProviderSandbox
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshProviders
import RefundMeshStore
import ServiceLifecycle
import Testing

let testLogger: Logger = {
    var logger = Logger(label: "payment-channel-adapter-tests")
    logger.logLevel = .critical
    return logger
}()

/// One development key set for the whole test process (RSA key generation is slow).
let generatedKeys = Result { try ProviderKeySet.generateDevelopment() }

/// provider-sandbox running in this process on port 0 with its own data folder and key files,
/// and the channel adapters configured for it exactly as payment-channel configures them from
/// the environment.
struct SandboxProviders: Sendable {
    let sandbox: Sandbox
    let port: Int
    let directory: String
    /// The payment-channel environment for this sandbox (key files, base and notify URLs).
    let environment: [String: String]

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Runs `body` against a sandbox started for it, then shuts it down gracefully.
    /// - Parameter notifyBase: where the sandbox sends notifications (our endpoint), if anywhere.
    static func with<T: Sendable>(
        notifyBase: String = "http://127.0.0.1:9",
        _ body: @Sendable (SandboxProviders) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("payment-channel-adapter-tests-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = SandboxConfiguration(dataDirectory: directory)
        configuration.walletSettle = .milliseconds(100)
        configuration.bankWorkingDay = .milliseconds(30)
        configuration.settleTick = .milliseconds(20)
        configuration.notifications.retryInitial = .milliseconds(50)
        configuration.notifications.retryMaximum = .milliseconds(200)
        configuration.limits.wechatOrderInterval = .zero
        configuration.limits.alipayTradeInterval = .zero
        configuration.stall = .seconds(20)
        configuration.bankNotifyURL = notifyBase + "/notify/bank"
        let keys = try generatedKeys.get()
        try keys.write(to: configuration.keysDirectory)
        let sandbox = try Sandbox(configuration: configuration, keys: keys, logger: testLogger)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: sandbox.services { portSink.yield($0) }.map { .init(service: $0) },
                logger: testLogger
            )
        )
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                return .failure(TestFailure("provider-sandbox did not start listening"))
            }
            let providers = SandboxProviders(
                sandbox: sandbox,
                port: port,
                directory: directory,
                environment: keys.environment(
                    directory: configuration.keysDirectory,
                    baseURL: "http://127.0.0.1:\(port)",
                    notifyBaseURL: notifyBase
                )
            )
            let result: Result<T, any Error>
            do {
                result = .success(try await body(providers))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
            return result
        }
        try sandbox.close()
        return try result.get()
    }

    /// A behaviour for the next `times` requests about `refundNo` (R-C6 … R-C9 faults).
    func rule(_ provider: String, refundNo: String, times: Int = 1, _ behaviour: Behaviour) throws {
        _ = try sandbox.engine.add(
            BehaviourRule(provider: provider, match: .init(refundNo: refundNo), times: times, behaviour: behaviour)
        )
    }

    /// The sandbox's own record of `refundNo`.
    func record(_ provider: ProviderKind, _ refundNo: String) async throws -> ProviderRefund? {
        try await sandbox.store.refunds(provider: provider).first { $0.refundNo == refundNo }
    }

    func wechatClient(timeoutMs: Int = 10_000) throws -> WeChatPayClient {
        var environment = self.environment
        environment["WECHATPAY_TIMEOUT_MS"] = String(timeoutMs)
        return WeChatPayClient(
            configuration: try WeChatPayConfiguration(environment: environment),
            httpClient: .shared,
            logger: testLogger
        )
    }

    func alipayClient() throws -> AlipayClient {
        AlipayClient(
            configuration: try AlipayConfiguration(environment: environment),
            httpClient: .shared,
            logger: testLogger
        )
    }

    func bankClient(timeoutMs: Int = 10_000) throws -> BankCardClient {
        var environment = self.environment
        environment["BANK_TIMEOUT_MS"] = String(timeoutMs)
        return BankCardClient(
            configuration: try BankCardConfiguration(environment: environment),
            httpClient: .shared,
            logger: testLogger
        )
    }

    func wechat(timeoutMs: Int = 10_000) throws -> WeChatPayChannelAdapter {
        WeChatPayChannelAdapter(client: try wechatClient(timeoutMs: timeoutMs), logger: testLogger)
    }

    func alipay() throws -> AlipayChannelAdapter {
        AlipayChannelAdapter(client: try alipayClient(), logger: testLogger)
    }

    func bank(timeoutMs: Int = 10_000) throws -> BankCardChannelAdapter {
        BankCardChannelAdapter(client: try bankClient(timeoutMs: timeoutMs), logger: testLogger)
    }
}

/// A refund request as payment-channel builds it (R-C6: `refundNo` fixed).
func refundRequest(
    _ refundNo: String,
    method: PaymentMethod,
    payment: String,
    order: String? = nil,
    amountFen: Int64 = 3_000,
    totalFen: Int64 = 10_000
) -> ChannelRefundRequest {
    ChannelRefundRequest(
        refundNo: refundNo,
        refundID: refundNo,
        amountFen: amountFen,
        payment: CapturedPayment(
            paymentID: payment,
            orderID: order ?? "order-\(payment)",
            userID: "user-1",
            method: method,
            amountFen: totalFen,
            capturedAtMs: UnixTimeNow.ms() - 86_400_000,
            merchantID: "m-1"
        ),
        reason: "test refund"
    )
}

enum UnixTimeNow {
    static func ms() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    /// Today in China time, the day providers' bills are cut by.
    static func chinaToday() -> CivilDate {
        CivilDate(daysSinceEpoch: (ms() + 8 * 3_600_000) / 86_400_000)
    }
}

/// Polls `probe` until it returns a value, for at most `seconds` (generous: CI is shared).
@discardableResult
func eventually<T>(
    within seconds: Int = 30,
    _ what: String,
    _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("timed out after \(seconds) s waiting for \(what)")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ChannelRefundStatus {
    var isSucceeded: Bool { if case .succeeded = self { true } else { false } }
    var isClosed: Bool { if case .closed = self { true } else { false } }
    var isAbnormal: Bool { if case .abnormal = self { true } else { false } }
    var isReversed: Bool { if case .reversed = self { true } else { false } }
}
