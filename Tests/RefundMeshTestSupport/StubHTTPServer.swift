import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as a stub HTTP peer (a payment provider, the game operator) received it.
public struct StubRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: [(String, String)]
    public var body: Data
}

/// What the stub provider answers; nil from a handler means "never answer" (a timeout for the client).
public struct StubResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A real HTTP/1.1 server on 127.0.0.1, port 0, for the duration of `body`; every request goes to
/// `handler`. Built on swift-nio's NIOAsyncChannel like `NIOTCPEchoServer`.
public func withStubHTTPServer<T: Sendable>(
    _ handler: @escaping @Sendable (StubRequest) async -> StubResponse?,
    body: (_ baseURL: String) async throws -> T
) async throws -> T {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                    wrappingChannelSynchronously: channel
                )
            }
        }
    guard let port = server.channel.localAddress?.port else { throw StubServerError.noPort }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await withThrowingDiscardingTaskGroup { connections in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        connections.addTask { await serve(connection, handler: handler) }
                    }
                }
            }
        }
        do {
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

public enum StubServerError: Error { case noPort }

private func serve(
    _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
    handler: @Sendable (StubRequest) async -> StubResponse?
) async {
    try? await connection.executeThenClose { inbound, outbound in
        var head: HTTPRequestHead?
        var body = Data()
        for try await part in inbound {
            switch part {
            case .head(let requestHead):
                head = requestHead
                body = Data()
            case .body(let buffer):
                body.append(contentsOf: buffer.readableBytesView)
            case .end:
                guard let requestHead = head else { continue }
                let request = StubRequest(
                    method: requestHead.method.rawValue,
                    target: requestHead.uri,
                    headers: requestHead.headers.map { ($0.name, $0.value) },
                    body: body
                )
                guard let response = await handler(request) else {
                    // Accept and never answer: the client's deadline must fire (R-C6 unknown outcome).
                    try await Task.sleep(for: .seconds(120))
                    return
                }
                var headers = HTTPHeaders(response.headers)
                headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                try await outbound.write(
                    .head(
                        HTTPResponseHead(
                            version: .http1_1,
                            status: HTTPResponseStatus(statusCode: response.status),
                            headers: headers
                        )
                    )
                )
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                try await outbound.write(.end(nil))
            }
        }
    }
}

/// Collects what the stub saw, for assertions.
public actor RequestLog {
    public private(set) var requests: [StubRequest] = []
    public init() {}
    public func append(_ request: StubRequest) { requests.append(request) }
}
