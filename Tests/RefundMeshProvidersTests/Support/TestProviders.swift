import AsyncHTTPClient
import Foundation
import Logging
import RefundMeshTestSupport

@testable import RefundMeshProviders

/// One development key set per test process (RSA key generation is slow), written to a temporary
/// directory so configurations load through the real `*_FILE` settings.
enum TestProviders {
    static let directory: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "refundmesh-providers-\(UUID().uuidString)"
        ).path
        atexit { try? FileManager.default.removeItem(atPath: TestProviders.directory) }
        return path
    }()

    static let keys: ProviderKeySet = {
        do {
            let keys = try ProviderKeySet.generateDevelopment()
            try keys.write(to: directory)
            return keys
        } catch {
            fatalError("cannot create the test key set: \(error)")
        }
    }()

    /// Settings for every provider pointing at `baseURL`, with a short timeout.
    static func environment(baseURL: String, timeoutMs: Int = 20_000) -> [String: String] {
        var environment = keys.environment(directory: directory, baseURL: baseURL, notifyBaseURL: "http://127.0.0.1:1")
        for prefix in ["WECHATPAY", "ALIPAY", "BANK", "OPERATOR"] {
            environment["\(prefix)_TIMEOUT_MS"] = String(timeoutMs)
        }
        return environment
    }

    static let logger = Logger(label: "RefundMeshProvidersTests")

    /// Runs `body` with an HTTPClient that is shut down afterwards.
    static func withHTTPClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    static func json(_ text: String) -> Data { Data(text.utf8) }
}

extension StubResponse {
    /// A stub answer from a server helper's `(headers, body)`.
    init(status: Int, signed: (headers: [(String, String)], body: Data)) {
        self.init(status: status, headers: signed.headers, body: signed.body)
    }
}
