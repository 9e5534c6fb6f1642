import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1

/// Alipay open-platform refunds on AsyncHTTPClient: RSA2-signed form requests to the gateway,
/// RSA2-verified response nodes and notifications.
///
/// Errors are ``ProviderError``s classified for R-C6 (docs/PROVIDERS.md). The `HTTPClient` is the
/// caller's; the caller shuts it down.
public struct AlipayClient: Sendable {
    public let configuration: AlipayConfiguration
    private let transport: ProviderTransport

    static let provider = "alipay"

    public init(configuration: AlipayConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.transport = ProviderTransport(
            client: httpClient,
            provider: Self.provider,
            timeout: configuration.timeout,
            logger: logger
        )
    }

    /// `alipay.trade.refund`. A retry must send the same `outRequestNo` (R-C6); check
    /// ``AlipayRefundResponse/movedMoney`` (R-C8).
    public func refund(_ request: AlipayRefundRequest) async throws -> AlipayRefundResponse {
        try await call(AlipayMethod.tradeRefund, bizContent: request, as: AlipayRefundResponse.self, isQuery: false)
    }

    /// `alipay.trade.fastpay.refund.query`.
    public func queryRefund(outTradeNo: String, outRequestNo: String) async throws -> AlipayRefundQueryResponse {
        try await call(
            AlipayMethod.refundQuery,
            bizContent: AlipayRefundQueryRequest(outTradeNo: outTradeNo, outRequestNo: outRequestNo),
            as: AlipayRefundQueryResponse.self,
            isQuery: true
        )
    }

    /// The day's trade bill: `alipay.data.dataservice.bill.downloadurl.query`, then the download,
    /// as non-empty text lines. The sandbox serves CSV text; the real Alipay serves a zip archive,
    /// which this method reports as ``ProviderError/Code-swift.struct/invalidRequest`` (not unpacked yet).
    /// - Parameter date: `YYYY-MM-DD`.
    public func refundBill(date: String) async throws -> [String] {
        let date = try BillDate.validate(date, provider: Self.provider)
        let answer = try await call(
            AlipayMethod.billDownloadURL,
            bizContent: AlipayBillURLRequest(billDate: date),
            as: AlipayBillURLResponse.self,
            isQuery: true
        )
        guard let url = answer.billDownloadURL else {
            throw ProviderError(
                code: .notFound,
                message: "Alipay returned no bill_download_url for \(date)",
                provider: Self.provider
            )
        }
        let download = try await transport.send(method: .GET, url: url, headers: [], body: nil)
        guard (200..<300).contains(download.status) else {
            throw ProviderError(
                code: download.status >= 500 ? .unknownOutcome : .refused,
                message: "bill download answered HTTP \(download.status)",
                provider: Self.provider,
                httpStatus: download.status
            )
        }
        if download.body.starts(with: [0x50, 0x4B]) {
            throw ProviderError(
                code: .invalidRequest,
                message: "the bill for \(date) is a zip archive; unpacking Alipay's zipped bills is not implemented",
                provider: Self.provider
            )
        }
        return String(decoding: download.body, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Verifies a form-encoded Alipay notification (RSA2 over all parameters but `sign` and
    /// `sign_type`) and checks it is for our app. Answer the body ``AlipayNotification/acknowledgement``
    /// once recorded.
    ///
    /// No timestamp window is applied: Alipay resends the same notification for up to a day, and
    /// a replay is harmless because notifications are deduplicated by `notify_id` (R-C9).
    /// - Throws: ``ProviderError`` with code `badSignature` or `invalidRequest`.
    public func parseNotification(headers: ProviderHeaders, body: Data) throws -> AlipayNotification {
        guard let pairs = FormEncoding.decode(String(decoding: body, as: UTF8.self)) else {
            throw ProviderError(
                code: .invalidRequest,
                message: "notification is not form-encoded",
                provider: Self.provider
            )
        }
        let parameters = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        try ProviderError.wrapping(
            .badSignature,
            "notification signature did not verify",
            appendingCause: true,
            provider: Self.provider
        ) {
            try AlipaySignature.verifyNotification(parameters, key: configuration.alipayPublicKey)
        }
        let notification = try ProviderError.wrapping(
            .invalidRequest,
            "notification is incomplete",
            appendingCause: true,
            provider: Self.provider
        ) {
            try AlipayNotification(parameters: parameters)
        }
        guard notification.appID == configuration.appID else {
            throw ProviderError(
                code: .badSignature,
                message: "notification is for app \(notification.appID), not \(configuration.appID)",
                provider: Self.provider,
                cause: SignatureVerificationError(code: .unknownSigner, field: "app_id", message: "other app")
            )
        }
        return notification
    }

    /// The signed common parameters and biz_content of a call (exposed for tests and tools).
    func signedParameters<Biz: Encodable>(
        method: String,
        bizContent: Biz,
        now: Date = Date()
    ) throws -> [String: String] {
        var parameters: [String: String] = [
            "app_id": configuration.appID,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": ChinaTime.alipayTimestamp(unixSeconds: Int64(now.timeIntervalSince1970)),
            "version": "1.0",
            "biz_content": String(decoding: try WireJSON.encode(bizContent), as: UTF8.self),
        ]
        if let notifyURL = configuration.notifyURL { parameters["notify_url"] = notifyURL }
        parameters["sign"] = try AlipaySignature.signRequest(parameters, key: configuration.appPrivateKey)
        return parameters
    }

    private func call<Biz: Encodable, Node: AlipayResponseNode>(
        _ method: String,
        bizContent: Biz,
        as type: Node.Type,
        isQuery: Bool
    ) async throws -> Node {
        let parameters = try ProviderError.wrapping(.invalidRequest, "cannot build \(method)", provider: Self.provider)
        {
            try signedParameters(method: method, bizContent: bizContent)
        }
        let body = FormEncoding.encode(parameters.sorted { $0.key < $1.key })
        let response = try await transport.send(
            method: .POST,
            url: configuration.gatewayURL,
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded;charset=utf-8"), ("Accept", "application/json"),
            ],
            body: Data(body.utf8)
        )
        switch response.status {
        case 200..<300: break
        case 429:
            throw ProviderError(
                code: .rateLimited,
                message: "Alipay gateway rate-limited \(method) (R-C7)",
                provider: Self.provider,
                httpStatus: 429,
                retryAfter: response.retryAfter
            )
        default:
            throw ProviderError(
                code: .unknownOutcome,
                message:
                    "Alipay gateway answered HTTP \(response.status) to \(method); retry with the same out_request_no (R-C6)",
                provider: Self.provider,
                httpStatus: response.status
            )
        }
        let node: (name: String, json: Data, signed: Bool)
        do {
            node = try AlipaySignature.verifiedResponseNode(
                in: response.body,
                nodeNames: [AlipaySignature.responseNodeName(method: method), "error_response"],
                key: configuration.alipayPublicKey,
                requireSignature: false
            )
        } catch {
            throw ProviderError(
                code: .badSignature,
                message: "\(method) answer did not verify: \(error)",
                provider: Self.provider,
                httpStatus: response.status,
                cause: error
            )
        }
        let status = try ProviderError.wrapping(
            .unknownOutcome,
            "\(method) answer has no code/msg; query again",
            provider: Self.provider
        ) {
            try WireJSON.decode(AlipayResponseStatus.self, from: node.json)
        }
        guard status.code == AlipayResponseStatus.Code.success else {
            throw Self.mapError(status, method: method, isQuery: isQuery)
        }
        guard node.signed else {
            throw ProviderError(
                code: .badSignature,
                message: "\(method) success answer carries no sign",
                provider: Self.provider,
                cause: SignatureVerificationError(code: .missingField, field: "sign", message: "unsigned success")
            )
        }
        do {
            return try WireJSON.decode(type, from: node.json)
        } catch {
            throw ProviderError(
                code: .unknownOutcome,
                message: "\(method) success answer is not readable (\(error)); query again",
                provider: Self.provider,
                cause: error
            )
        }
    }

    /// Maps an Alipay failure node (docs/PROVIDERS.md, error table).
    static func mapError(_ status: AlipayResponseStatus, method: String, isQuery: Bool) -> ProviderError {
        let code: ProviderError.Code
        let message: String
        switch (status.code, status.subCode) {
        case (_, AlipayResponseStatus.SubCode.requestTooFast?):
            code = .rateLimited
            message = "Alipay wants 3 s between refunds of one trade (R-C7); retry later with the same out_request_no"
        case (AlipayResponseStatus.Code.serviceUnavailable, _), (_, AlipayResponseStatus.SubCode.systemError?):
            code = .unknownOutcome
            message = "Alipay answered a system error to \(method); retry with the same out_request_no or query (R-C6)"
        case (_, AlipayResponseStatus.SubCode.tradeNotExist?) where isQuery:
            code = .notFound
            message = "Alipay has no such trade"
        case (let gateway, _) where gateway.hasPrefix("4"):
            code = .refused
            message = "Alipay refused \(method)"
        default:
            code = .unknownOutcome
            message = "Alipay answered an unexpected code \(status.code) to \(method)"
        }
        return ProviderError(
            code: code,
            message: message,
            provider: provider,
            providerCode: status.subCode ?? status.code,
            providerMessage: status.subMsg ?? status.msg
        )
    }
}
