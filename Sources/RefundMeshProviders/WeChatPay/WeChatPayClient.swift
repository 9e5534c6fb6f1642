import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOHTTP1

/// WeChat Pay API v3 refunds on AsyncHTTPClient: signs every request with the merchant key,
/// verifies every answer's platform signature, decrypts notifications.
///
/// Errors are ``ProviderError``s classified for R-C6 (see its documentation). The `HTTPClient` is
/// the caller's; the caller shuts it down.
public struct WeChatPayClient: Sendable {
    public let configuration: WeChatPayConfiguration
    private let transport: ProviderTransport
    private let logger: Logger

    public init(configuration: WeChatPayConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.transport = ProviderTransport(
            client: httpClient,
            provider: Self.provider,
            timeout: configuration.timeout,
            logger: logger
        )
    }

    static let provider = "wechatpay"

    /// `POST /v3/refund/domestic/refunds`. A retry must send the same `outRefundNo` (R-C6); WeChat
    /// answers a repeated number with the existing refund instead of refunding again.
    public func createRefund(_ request: WeChatPayRefundRequest) async throws -> WeChatPayRefund {
        var request = request
        if request.notifyURL == nil { request.notifyURL = configuration.notifyURL }
        let body = try ProviderError.wrapping(
            .invalidRequest,
            "cannot encode the refund request",
            provider: Self.provider
        ) {
            try WireJSON.encode(request)
        }
        let response = try await send(method: .POST, path: "/v3/refund/domestic/refunds", body: body)
        // A 404 here means the paid order is unknown: a refusal, not "no such refund number".
        return try decode(WeChatPayRefund.self, from: response, notFoundMeansUnknownNumber: false)
    }

    /// `GET /v3/refund/domestic/refunds/{out_refund_no}`. A refund WeChat does not know throws
    /// ``ProviderError/Code-swift.struct/notFound``.
    public func queryRefund(outRefundNo: String) async throws -> WeChatPayRefund {
        let response = try await send(
            method: .GET,
            path: "/v3/refund/domestic/refunds/" + FormEncoding.percentEncode(outRefundNo),
            body: nil
        )
        return try decode(WeChatPayRefund.self, from: response)
    }

    /// Verifies a notification's platform signature and timestamp, then decrypts its resource.
    ///
    /// Takes the headers and body exactly as received so any HTTP server can call it. A notification
    /// for another merchant is rejected.
    /// - Throws: ``ProviderError`` with code `badSignature` (cause: ``SignatureVerificationError``)
    ///   or `invalidRequest` for a body that is not a WeChat notification.
    public func parseNotification(
        headers: ProviderHeaders,
        body: Data,
        now: Date = Date()
    ) throws -> WeChatPayVerifiedNotification {
        do {
            try WeChatPaySignature.verifyPlatformSigned(
                headers: headers,
                body: body,
                platformSerial: configuration.platformSerial,
                platformPublicKey: configuration.platformPublicKey,
                allowedClockSkew: configuration.allowedClockSkew,
                now: now
            )
        } catch {
            throw badSignature("notification signature did not verify: \(error)", cause: error)
        }
        let envelope = try ProviderError.wrapping(
            .invalidRequest,
            "notification body is not a WeChat Pay notification",
            provider: Self.provider
        ) {
            try WireJSON.decode(WeChatPayNotification.self, from: body)
        }
        let plaintext: Data
        do {
            plaintext = try WeChatPayNotificationCrypto.decrypt(envelope.resource, key: configuration.apiV3Key)
        } catch {
            throw badSignature("notification resource did not decrypt: \(error)", cause: error)
        }
        let notice = try ProviderError.wrapping(
            .invalidRequest,
            "decrypted resource is not a refund notice",
            provider: Self.provider
        ) {
            try WireJSON.decode(WeChatPayRefundNotice.self, from: plaintext)
        }
        guard notice.merchantID == configuration.merchantID else {
            throw badSignature(
                "notification is for merchant \(notice.merchantID), not \(configuration.merchantID)",
                cause: SignatureVerificationError(code: .unknownSigner, field: "mchid", message: "other merchant")
            )
        }
        return WeChatPayVerifiedNotification(
            id: envelope.id,
            eventType: envelope.eventType,
            createTime: envelope.createTime,
            notice: notice
        )
    }

    /// The day's refund bill (`GET /v3/bill/tradebill?bill_date=…&bill_type=REFUND`, then the
    /// download URL), checked against its SHA1 hash, as non-empty text lines.
    /// - Parameter date: `YYYY-MM-DD`.
    public func refundBill(date: String) async throws -> [String] {
        let date = try BillDate.validate(date, provider: Self.provider)
        let response = try await send(
            method: .GET,
            path: "/v3/bill/tradebill?bill_date=\(date)&bill_type=REFUND",
            body: nil
        )
        let location = try decode(WeChatPayBillLocation.self, from: response)
        guard let components = URLComponents(string: location.downloadURL), components.host != nil else {
            throw ProviderError(
                code: .unknownOutcome,
                message: "download_url \"\(location.downloadURL)\" is not a URL",
                provider: Self.provider
            )
        }
        let target = components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        // The download itself is not platform-signed; its integrity comes from the signed hash.
        let download = try await send(method: .GET, url: location.downloadURL, target: target, body: nil, verify: false)
        guard (200..<300).contains(download.status) else { throw mapError(download) }
        let digest = Insecure.SHA1.hash(data: download.body).map { String(format: "%02x", $0) }.joined()
        guard digest == location.hashHex.lowercased() else {
            throw badSignature(
                "bill for \(date) has SHA1 \(digest), the signed answer said \(location.hashHex)",
                cause: SignatureVerificationError(
                    code: .signatureMismatch,
                    field: "hash_value",
                    message: "bill hash mismatch"
                )
            )
        }
        return String(decoding: download.body, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    }

    // MARK: - Plumbing

    private func send(method: HTTPMethod, path: String, body: Data?) async throws -> ProviderHTTPResponse {
        try await send(method: method, url: configuration.baseURL + path, target: path, body: body, verify: true)
    }

    private func send(
        method: HTTPMethod,
        url: String,
        target: String,
        body: Data?,
        verify: Bool
    ) async throws -> ProviderHTTPResponse {
        let authorization = try ProviderError.wrapping(
            .invalidRequest,
            "cannot sign the request",
            provider: Self.provider
        ) {
            try WeChatPaySignature.authorization(
                method: method.rawValue,
                url: target,
                body: body ?? Data(),
                merchantID: configuration.merchantID,
                serial: configuration.merchantSerial,
                key: configuration.merchantPrivateKey
            )
        }
        var headers: ProviderHeaders = [
            ("Authorization", authorization.headerValue),
            ("Accept", "application/json"),
            ("User-Agent", "RefundMesh"),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await transport.send(method: method, url: url, headers: headers, body: body)
        // Success answers must be signed by the platform; error answers are checked when signed.
        if verify
            && ((200..<300).contains(response.status)
                || response.headers.firstValue(WeChatPaySignature.Header.signature) != nil)
        {
            do {
                try WeChatPaySignature.verifyPlatformSigned(
                    headers: response.headers,
                    body: response.body,
                    platformSerial: configuration.platformSerial,
                    platformPublicKey: configuration.platformPublicKey,
                    allowedClockSkew: configuration.allowedClockSkew
                )
            } catch {
                throw badSignature(
                    "answer to \(method.rawValue) \(target) did not verify: \(error)",
                    cause: error,
                    status: response.status
                )
            }
        }
        return response
    }

    private func decode<T: Decodable>(
        _ type: T.Type,
        from response: ProviderHTTPResponse,
        notFoundMeansUnknownNumber: Bool = true
    ) throws -> T {
        guard (200..<300).contains(response.status) else {
            throw mapError(response, notFoundMeansUnknownNumber: notFoundMeansUnknownNumber)
        }
        // Signed and successful but unreadable: the provider acted; we do not know how (R-C6).
        return try ProviderError.wrapping(
            .unknownOutcome,
            "HTTP \(response.status) answer is not a \(T.self): query again",
            provider: Self.provider,
            httpStatus: response.status
        ) {
            try WireJSON.decode(type, from: response.body)
        }
    }

    /// Maps a WeChat error answer (docs/PROVIDERS.md, error table).
    func mapError(_ response: ProviderHTTPResponse, notFoundMeansUnknownNumber: Bool = true) -> ProviderError {
        Self.mapError(
            status: response.status,
            body: response.body,
            retryAfter: response.retryAfter,
            notFoundMeansUnknownNumber: notFoundMeansUnknownNumber
        )
    }

    static func mapError(
        status: Int,
        body: Data,
        retryAfter: Duration?,
        notFoundMeansUnknownNumber: Bool = true
    ) -> ProviderError {
        let error = try? WireJSON.decode(WeChatPayErrorBody.self, from: body)
        let code: ProviderError.Code
        let message: String
        switch (status, error?.code) {
        case (_, WeChatPayErrorBody.Code.frequencyLimited?), (429, _):
            code = .rateLimited
            message = "WeChat Pay rate-limited the request (R-C7); retry later with the same out_refund_no"
        case (_, WeChatPayErrorBody.Code.systemError?), (500..., _):
            code = .unknownOutcome
            message = "WeChat Pay answered a system error; retry with the same out_refund_no (R-C6)"
        case (404, _) where notFoundMeansUnknownNumber,
            (_, WeChatPayErrorBody.Code.resourceNotExists?) where notFoundMeansUnknownNumber:
            code = .notFound
            message = "WeChat Pay has no such refund"
        case (400..<500, _):
            code = .refused
            message = "WeChat Pay refused the request"
        default:
            code = .unknownOutcome
            message = "unexpected HTTP \(status) from WeChat Pay"
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

    private func badSignature(_ message: String, cause: any Error, status: Int? = nil) -> ProviderError {
        ProviderError(code: .badSignature, message: message, provider: Self.provider, httpStatus: status, cause: cause)
    }
}
