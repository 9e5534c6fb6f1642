import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1

/// The request/answer cycle shared by the bank and game operator clients: HMAC-signed request,
/// HMAC-verified answer, and the error mapping of their common `{"code","message"}` body.
struct HMACProviderCall: Sendable {
    let transport: ProviderTransport
    let authenticator: HMACAuthenticator
    let baseURL: String

    var provider: String { transport.provider }

    /// A call on `httpClient` to `baseURL`, signed and verified with `authenticator`.
    init(
        provider: String,
        authenticator: HMACAuthenticator,
        baseURL: String,
        timeout: Duration,
        httpClient: HTTPClient,
        logger: Logger
    ) {
        self.transport = ProviderTransport(client: httpClient, provider: provider, timeout: timeout, logger: logger)
        self.authenticator = authenticator
        self.baseURL = baseURL
    }

    /// Sends and returns the verified 2xx answer body; throws a mapped ``ProviderError`` otherwise.
    /// - Parameter notFoundMeansUnknownNumber: whether 404 means "no such request number"
    ///   (``ProviderError/Code-swift.struct/notFound``) rather than a refusal.
    func send(method: HTTPMethod, path: String, body: Data?, notFoundMeansUnknownNumber: Bool) async throws -> Data {
        var headers = authenticator.requestHeaders(method: method.rawValue, path: path, body: body ?? Data())
        headers.append(("Accept", "application/json"))
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await transport.send(method: method, url: baseURL + path, headers: headers, body: body)
        let success = (200..<300).contains(response.status)
        if success || response.headers.firstValue(authenticator.headerNames.signature) != nil {
            try ProviderError.wrapping(
                .badSignature,
                "answer to \(method.rawValue) \(path) did not verify",
                appendingCause: true,
                provider: provider,
                httpStatus: response.status
            ) {
                try authenticator.verifyMessage(headers: response.headers, body: response.body)
            }
        }
        guard success else {
            throw Self.mapError(
                status: response.status,
                body: response.body,
                retryAfter: response.retryAfter,
                provider: provider,
                notFoundMeansUnknownNumber: notFoundMeansUnknownNumber
            )
        }
        return response.body
    }

    func decode<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
        try ProviderError.wrapping(.unknownOutcome, "signed answer is not a \(T.self): query again", provider: provider)
        {
            try WireJSON.decode(type, from: body)
        }
    }

    static func mapError(
        status: Int,
        body: Data,
        retryAfter: Duration?,
        provider: String,
        notFoundMeansUnknownNumber: Bool
    ) -> ProviderError {
        let error = try? WireJSON.decode(ProviderErrorBody.self, from: body)
        let code: ProviderError.Code
        switch (status, error?.code) {
        case (429, _), (_, ProviderErrorBody.Code.rateLimited?): code = .rateLimited
        case (500..., _), (_, ProviderErrorBody.Code.systemError?): code = .unknownOutcome
        case (404, _) where notFoundMeansUnknownNumber: code = .notFound
        case (400..<500, _): code = .refused
        default: code = .unknownOutcome
        }
        let message: String
        switch code {
        case .rateLimited: message = "\(provider) rate-limited the request; retry later with the same number (R-C7)"
        case .unknownOutcome:
            message = "\(provider) answered HTTP \(status); retry with the same number or query (R-C6)"
        case .notFound: message = "\(provider) does not know this number"
        default: message = "\(provider) refused the request"
        }
        return ProviderError(
            code: code,
            message: message,
            provider: provider,
            providerCode: error?.code,
            providerMessage: error?.message,
            httpStatus: status,
            retryAfter: code == .rateLimited ? retryAfter : nil
        )
    }
}
