import AsyncHTTPClient
import Foundation
import Logging

/// Bank card refunds on AsyncHTTPClient, HMAC-SHA256 signed both ways (``HMACAuthenticator``,
/// `X-Bank-*` headers). Errors are ``ProviderError``s classified for R-C6.
public struct BankCardClient: Sendable {
    public let configuration: BankCardConfiguration
    private let call: HMACProviderCall

    static let provider = "bank"

    public init(configuration: BankCardConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.call = HMACProviderCall(
            provider: Self.provider,
            authenticator: Self.authenticator(configuration),
            baseURL: configuration.baseURL,
            timeout: configuration.timeout,
            httpClient: httpClient,
            logger: logger
        )
    }

    static func authenticator(_ configuration: BankCardConfiguration) -> HMACAuthenticator {
        HMACAuthenticator(
            headerNames: .bank,
            identity: configuration.merchantID,
            key: configuration.hmacKey,
            allowedClockSkew: configuration.allowedClockSkew
        )
    }

    /// `POST /bank/v1/refunds`. Resubmitting the same `refundNo` with the same content answers the
    /// existing refund (R-C6); other content under the same number is refused (`REFUND_NO_CONFLICT`).
    public func submit(refundNo: String, cardPaymentID: String, amountFen: Int64) async throws -> BankRefund {
        let request = BankRefundRequest(
            merchantID: configuration.merchantID,
            refundNo: refundNo,
            cardPaymentID: cardPaymentID,
            amountFen: amountFen
        )
        let body = try ProviderError.wrapping(.invalidRequest, "cannot encode the refund", provider: Self.provider) {
            try WireJSON.encode(request)
        }
        let answer = try await call.send(
            method: .POST,
            path: "/bank/v1/refunds",
            body: body,
            notFoundMeansUnknownNumber: false
        )
        return try call.decode(BankRefund.self, from: answer)
    }

    /// `GET /bank/v1/refunds/{refund_no}`; an unknown number throws ``ProviderError/Code-swift.struct/notFound``.
    public func query(refundNo: String) async throws -> BankRefund {
        let answer = try await call.send(
            method: .GET,
            path: "/bank/v1/refunds/" + FormEncoding.percentEncode(refundNo),
            body: nil,
            notFoundMeansUnknownNumber: true
        )
        return try call.decode(BankRefund.self, from: answer)
    }

    /// Verifies a bank notification (HMAC over `TIMESTAMP\nNONCE\nBODY`, timestamp skew, merchant).
    /// Answer 200 once it is durably recorded.
    /// - Throws: ``ProviderError`` with code `badSignature` or `invalidRequest`.
    public func parseNotification(
        headers: ProviderHeaders,
        body: Data,
        now: Date = Date()
    ) throws -> BankRefundNotification {
        try ProviderError.wrapping(
            .badSignature,
            "notification did not verify",
            appendingCause: true,
            provider: Self.provider
        ) {
            try Self.authenticator(configuration).verifyMessage(headers: headers, body: body, now: now)
        }
        let notification = try ProviderError.wrapping(
            .invalidRequest,
            "body is not a bank notification",
            provider: Self.provider
        ) {
            try WireJSON.decode(BankRefundNotification.self, from: body)
        }
        guard notification.merchantID == configuration.merchantID else {
            throw ProviderError(
                code: .badSignature,
                message: "notification is for merchant \(notification.merchantID)",
                provider: Self.provider,
                cause: SignatureVerificationError(code: .unknownSigner, field: "merchant_id", message: "other merchant")
            )
        }
        return notification
    }

    /// `GET /bank/v1/settlements/{YYYY-MM-DD}`: the day's settlement file, verified and parsed.
    public func settlementFile(date: String) async throws -> BankSettlementFile {
        let date = try BillDate.validate(date, provider: Self.provider)
        let answer = try await call.send(
            method: .GET,
            path: "/bank/v1/settlements/\(date)",
            body: nil,
            notFoundMeansUnknownNumber: false
        )
        return try BankSettlementFile(csv: String(decoding: answer, as: UTF8.self))
    }
}
