import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP/1.1 server on a free loopback port for a test: it records every request and
/// answers what `respond` says (given the request and how many came before it).
final class HTTPReceiver: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [String: String]
        var body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    struct Reply: Sendable {
        var status: Int
        var body: String
        var headers: [(String, String)] = []

        init(status: Int, body: String = "", headers: [(String, String)] = []) {
            self.status = status
            self.body = body
            self.headers = headers
        }
    }

    let respond: @Sendable (Request, Int) -> Reply
    private let recorded = Mutex<[Request]>([])

    init(respond: @escaping @Sendable (Request, Int) -> Reply) {
        self.respond = respond
    }

    var requests: [Request] { recorded.withLock { $0 } }

    fileprivate func answer(_ request: Request) -> Reply {
        let index = recorded.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return respond(request, index)
    }
}

/// Runs `body` with a receiver listening on 127.0.0.1:<port>.
func withHTTPReceiver<Result: Sendable>(
    respond: @escaping @Sendable (HTTPReceiver.Request, Int) -> HTTPReceiver.Reply,
    _ body: (HTTPReceiver, Int) async throws -> Result
) async throws -> Result {
    let receiver = HTTPReceiver(respond: respond)
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
    let port = server.channel.localAddress?.port ?? 0
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { handlers in
                    for try await connection in connections {
                        handlers.addTask { try? await serve(connection, receiver) }
                    }
                }
            }
        }
        defer { group.cancelAll() }
        let result = try await body(receiver, port)
        try? await server.channel.close()
        return result
    }
}

private func serve(
    _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
    _ receiver: HTTPReceiver
) async throws {
    try await connection.executeThenClose { inbound, outbound in
        var head: HTTPRequestHead?
        var body = Data()
        for try await part in inbound {
            switch part {
            case .head(let next):
                head = next
                body = Data()
            case .body(let buffer):
                body.append(contentsOf: buffer.readableBytesView)
            case .end:
                guard let request = head else { continue }
                var headers: [String: String] = [:]
                for (name, value) in request.headers { headers[name] = value }
                let reply = receiver.answer(
                    HTTPReceiver.Request(method: "\(request.method)", uri: request.uri, headers: headers, body: body)
                )
                var responseHeaders = HTTPHeaders([
                    ("Content-Type", "application/json"), ("Content-Length", "\(reply.body.utf8.count)"),
                ])
                for (name, value) in reply.headers { responseHeaders.add(name: name, value: value) }
                try await outbound.write(
                    .head(
                        HTTPResponseHead(
                            version: .http1_1,
                            status: .init(statusCode: reply.status),
                            headers: responseHeaders
                        )
                    )
                )
                try await outbound.write(.body(.byteBuffer(ByteBuffer(string: reply.body))))
                try await outbound.write(.end(nil))
            }
        }
    }
}
