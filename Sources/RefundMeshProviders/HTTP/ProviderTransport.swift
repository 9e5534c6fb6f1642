import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP answer, fully read.
struct ProviderHTTPResponse: Sendable {
    var status: Int
    var headers: ProviderHeaders
    var body: Data
}

/// Sends provider requests on a caller-owned `HTTPClient` with a per-request deadline, and turns
/// every failure without an HTTP answer into ``ProviderError/Code-swift.struct/unknownOutcome``
/// (R-C6): a timeout or a dropped connection says nothing about whether the provider acted.
struct ProviderTransport: Sendable {
    let client: HTTPClient
    let provider: String
    let timeout: Duration
    let logger: Logger

    /// Largest answer read (bills and settlement files included).
    static let maxResponseBytes = 64 << 20

    func send(
        method: HTTPMethod,
        url: String,
        headers: ProviderHeaders,
        body: Data?
    ) async throws -> ProviderHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let deadline = TimeAmount.nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + Int64(timeout.components.attoseconds / 1_000_000_000)
        )
        do {
            let response = try await client.execute(request, timeout: deadline, logger: logger)
            let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
            return ProviderHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Data(buffer.readableBytesView)
            )
        } catch {
            logger.info(
                "provider call ended without an answer; outcome unknown (R-C6)",
                metadata: ["provider": "\(provider)", "provider.url": "\(url)", "error": "\(error)"]
            )
            throw ProviderError(
                code: .unknownOutcome,
                message: "\(method.rawValue) \(url) got no answer within \(timeout) (timeout or connection error); "
                    + "the request may have been carried out — retry with the same request number or query (R-C6)",
                provider: provider,
                cause: error
            )
        }
    }
}

/// Reading an optional `Retry-After` (seconds) from an answer.
extension ProviderHTTPResponse {
    var retryAfter: Duration? {
        guard let text = headers.firstValue("Retry-After"), let seconds = Int64(text), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}

/// JSON coding used on the wire: stable key order so bodies are reproducible, no escaped slashes.
enum WireJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
