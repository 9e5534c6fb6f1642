import Foundation
import Hummingbird
import RefundMeshProviders

/// Converting between Hummingbird's request/response and the header lists and `Data` bodies of
/// RefundMeshProviders' server halves.
enum ProviderHTTP {
    /// The request's headers as the provider library takes them.
    static func headers(of request: Request) -> ProviderHeaders {
        request.headers.map { ($0.name.canonicalName, $0.value) }
    }

    /// The request target as the client signed it: path plus `?query`.
    static func target(of request: Request) -> String {
        request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
    }

    /// An answer with provider-signed headers and a body.
    static func response(status: HTTPResponse.Status, headers: ProviderHeaders, body: Data) -> Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            // HTTPFields.Element is HTTPTypes' HTTPField, which Hummingbird does not re-export by name.
            if let field = HTTPFields.Element.Name(name) {
                fields.append(HTTPFields.Element(name: field, value: value))
            }
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A Unix-milliseconds instant as a `Date`.
    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
