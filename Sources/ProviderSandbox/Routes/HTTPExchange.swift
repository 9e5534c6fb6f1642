import Foundation
import Hummingbird

/// Small helpers every route uses: read a body, answer JSON.
enum HTTPExchange {
    /// The largest request body the sandbox reads.
    static let maximumBodySize = 1 << 20

    /// The request body's bytes.
    static func body(of request: Request) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodySize)
        return Array(buffer.readableBytesView)
    }

    /// A JSON answer with `status`.
    static func json(
        _ value: some Encodable,
        status: HTTPResponse.Status = .ok,
        headers: HTTPFields = [:]
    ) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return raw(Array(try encoder.encode(value)), status: status, headers: headers)
    }

    /// An answer with `bytes` as its JSON body.
    static func raw(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{"code": …, "message": …}` with `status`: how WeChat Pay, the bank, the operator, the SMS
    /// gateway and the control API word errors.
    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        (try? json(ErrorBody(code: code, message: message), status: status))
            ?? Response(status: .internalServerError)
    }

    /// Decodes a JSON body, with the decoder's complaint as a 400 the caller can act on.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw SandboxRequestError("the body is not valid JSON for this endpoint: \(error)")
        }
    }

    /// A header's value by name.
    static func header(_ request: Request, _ name: String) -> String? {
        let lowered = name.lowercased()
        return request.headers.first { $0.name.canonicalName == lowered }?.value
    }

    struct ErrorBody: Codable {
        var code: String
        var message: String
    }
}
