import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The HTTP client and answer reading the HTTP channels share.
public enum NotificationHTTP {
    /// A client for webhooks and the SMS provider: no redirects (a webhook must not be bounced to
    /// somewhere else), the platform's event loops. Shut it down when the process ends.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout.connect = .seconds(5)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The answer's first KiB as text (the rest is read and dropped so the connection can be reused).
    static func text(of body: HTTPClientResponse.Body, timeout: Duration) async throws -> String {
        var kept = ByteBuffer()
        for try await chunk in body where kept.readableBytes < 1024 {
            var chunk = chunk
            kept.writeBuffer(&chunk)
        }
        return String(buffer: kept.getSlice(at: kept.readerIndex, length: min(kept.readableBytes, 1024)) ?? kept)
    }

    /// A Retry-After in seconds, if the answer has one.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        guard let text = headers.first(name: "Retry-After"), let seconds = Int64(text), seconds >= 0 else {
            return nil
        }
        return .seconds(min(seconds, 86_400))
    }
}

extension Duration {
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
