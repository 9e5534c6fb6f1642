import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RefundMeshProviders
import ServiceLifecycle

@testable import ProviderSandbox

/// One sandbox running in this process on port 0 with its own temporary data folder, driven
/// over real HTTP.
struct SandboxHarness: Sendable {
    let sandbox: Sandbox
    let port: Int
    let dataDirectory: String
    /// One development key set for the whole test process (RSA key generation is slow).
    static let generatedKeys = Result { try ProviderKeySet.generateDevelopment() }
    static var keys: ProviderKeySet { get throws { try generatedKeys.get() } }

    /// Where this sandbox's key files are (the clients load them through their `*_FILE` settings).
    var keysDirectory: String { dataDirectory + "/keys" }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var store: SandboxStore { sandbox.store }

    /// A configuration for tests: fast settlement and notification retries, no R-C7 waits
    /// unless a test sets them.
    static func testConfiguration(dataDirectory: String) -> SandboxConfiguration {
        var configuration = SandboxConfiguration(dataDirectory: dataDirectory)
        configuration.walletSettle = .milliseconds(100)
        configuration.bankWorkingDay = .milliseconds(50)
        configuration.settleTick = .milliseconds(20)
        configuration.notifications.retryInitial = .milliseconds(50)
        configuration.notifications.retryMaximum = .milliseconds(200)
        configuration.notifications.beforeAnswerWait = .seconds(30)
        configuration.limits.wechatOrderInterval = .zero
        configuration.limits.alipayTradeInterval = .zero
        configuration.stall = .seconds(20)
        return configuration
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("provider-sandbox-tests-\(UUID().uuidString)")
            .path
    }

    /// Runs `body` against a sandbox started for it, then shuts the sandbox down gracefully.
    /// Without a `dataDirectory`, the sandbox gets a temporary one, removed after; a test that
    /// passes its own (to restart a sandbox on the same files) removes it itself.
    static func with<T: Sendable>(
        dataDirectory: String? = nil,
        _ tweak: Tweak = Tweak { _ in },
        _ body: @Sendable (SandboxHarness) async throws -> T
    ) async throws -> T {
        guard let dataDirectory else {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            return try await with(dataDirectory: directory, tweak, body)
        }
        var configuration = testConfiguration(dataDirectory: dataDirectory)
        tweak.apply(&configuration)
        var logger = Logger(label: "provider-sandbox-test")
        logger.logLevel = .warning
        let keys = try Self.keys
        if !ProviderKeySet.exists(in: configuration.keysDirectory) { try keys.write(to: configuration.keysDirectory) }
        let sandbox = try Sandbox(configuration: configuration, keys: keys, logger: logger)
        return try await sandbox.withServicesRunning(logger: logger) { port in
            try await body(SandboxHarness(sandbox: sandbox, port: port, dataDirectory: dataDirectory))
        }
    }

    // MARK: Provider clients (RefundMeshProviders), configured as the services are

    /// The services' settings for this sandbox: key files, base URLs, notify URLs under `notifyBase`.
    /// Client timeouts are generous (30 s): tests run beside many others on two cores, and a
    /// timeout would read as an unknown outcome. Tests of timeouts set their own.
    func clientEnvironment(notifyBase: String = "http://127.0.0.1:9") throws -> [String: String] {
        var environment = try Self.keys.environment(
            directory: keysDirectory,
            baseURL: baseURL,
            notifyBaseURL: notifyBase
        )
        for name in ["WECHATPAY_TIMEOUT_MS", "ALIPAY_TIMEOUT_MS", "BANK_TIMEOUT_MS", "OPERATOR_TIMEOUT_MS"] {
            environment[name] = "30000"
        }
        return environment
    }

    func weChatPay(timeoutMs: Int = 30_000, notifyURL: String? = nil) throws -> WeChatPayClient {
        var environment = try clientEnvironment()
        environment["WECHATPAY_TIMEOUT_MS"] = String(timeoutMs)
        if let notifyURL { environment["WECHATPAY_NOTIFY_URL"] = notifyURL }
        return WeChatPayClient(
            configuration: try WeChatPayConfiguration(environment: environment),
            httpClient: .shared,
            logger: Self.logger
        )
    }

    func alipay(notifyURL: String? = nil) throws -> AlipayClient {
        var environment = try clientEnvironment()
        environment["ALIPAY_NOTIFY_URL"] = notifyURL
        return AlipayClient(
            configuration: try AlipayConfiguration(environment: environment),
            httpClient: .shared,
            logger: Self.logger
        )
    }

    func bank() throws -> BankCardClient {
        BankCardClient(
            configuration: try BankCardConfiguration(environment: try clientEnvironment()),
            httpClient: .shared,
            logger: Self.logger
        )
    }

    func gameOperator() throws -> GameOperatorClient {
        GameOperatorClient(
            configuration: try GameOperatorConfiguration(environment: try clientEnvironment()),
            httpClient: .shared,
            logger: Self.logger
        )
    }

    static var logger: Logger {
        var logger = Logger(label: "provider-sandbox-test")
        logger.logLevel = .warning
        return logger
    }

    // MARK: HTTP

    /// Sends a request and returns status and body.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        json: String? = nil,
        headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(30)
    ) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 22)
        return (Int(response.status.code), Array(body.readableBytesView))
    }

    /// GET a control endpoint and decode it.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let (status, body) = try await send(.GET, path)
        guard status == 200 else {
            throw HarnessError("GET \(path) answered \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return try JSONDecoder().decode(type, from: Data(body))
    }

    func addRule(_ json: String) async throws {
        let (status, body) = try await send(.POST, "/sandbox/v1/rules", json: json)
        guard status == 201 else {
            throw HarnessError("rule refused (\(status)): \(String(decoding: body, as: UTF8.self))")
        }
    }

    func refunds(_ provider: String? = nil) async throws -> [ProviderRefund] {
        struct List: Decodable { var refunds: [ProviderRefund] }
        return try await get("/sandbox/v1/refunds" + (provider.map { "?provider=\($0)" } ?? ""), as: List.self).refunds
    }

    func stats() async throws -> SandboxStats { try await get("/sandbox/v1/stats", as: SandboxStats.self) }

    /// Polls `condition` until it holds or 30 s pass.
    static func until(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("timed out waiting until \(what)")
    }
}

/// Changes a test makes to ``SandboxHarness/testConfiguration(dataDirectory:)``.
struct Tweak {
    let apply: (inout SandboxConfiguration) -> Void

    init(_ apply: @escaping (inout SandboxConfiguration) -> Void) { self.apply = apply }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
