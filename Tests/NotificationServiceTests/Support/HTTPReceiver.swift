import Foundation
import RefundMeshTestSupport
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

/// Runs `body` with a receiver listening on 127.0.0.1:<port> (RefundMeshTestSupport's
/// ``withStubHTTPServer(_:body:)`` underneath). Every answer carries `Content-Type: application/json`
/// and then the reply's own headers.
func withHTTPReceiver<Result: Sendable>(
    respond: @escaping @Sendable (HTTPReceiver.Request, Int) -> HTTPReceiver.Reply,
    _ body: (HTTPReceiver, Int) async throws -> Result
) async throws -> Result {
    let receiver = HTTPReceiver(respond: respond)
    let answer: @Sendable (StubRequest) async -> StubResponse? = { request in
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name] = value }
        let reply = receiver.answer(
            HTTPReceiver.Request(method: request.method, uri: request.target, headers: headers, body: request.body)
        )
        return StubResponse(
            status: reply.status,
            headers: [("Content-Type", "application/json")] + reply.headers,
            body: Data(reply.body.utf8)
        )
    }
    return try await withStubHTTPServer(answer) { baseURL in
        guard let port = URLComponents(string: baseURL)?.port else { throw StubServerError.noPort }
        return try await body(receiver, port)
    }
}
