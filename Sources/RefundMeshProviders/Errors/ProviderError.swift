/// What went wrong when talking to a payment provider or the game operator, classified by what
/// the caller may safely do next (R-C6).
///
/// The classification is the contract with payment-channel:
/// - ``Code-swift.struct/refused``: the provider answered and definitely did not do it (a business
///   error with ``providerCode`` and ``providerMessage``); do not retry the same request unchanged.
/// - ``Code-swift.struct/notFound``: the provider does not know the request number (WeChat 404
///   RESOURCE_NOT_EXISTS); nothing happened under that number yet.
/// - ``Code-swift.struct/rateLimited``: the provider asked us to slow down (WeChat 429
///   FREQUENCY_LIMITED, Alipay ACQ.REQUEST_TOO_FAST); nothing happened; retry after ``retryAfter``
///   with the same request number (R-C7).
/// - ``Code-swift.struct/unknownOutcome``: a timeout, a connection error, a 5xx or SYSTEM_ERROR —
///   the request may or may not have been carried out. Retry with the SAME request number or query
///   until final (R-C6); never submit a new number.
/// - ``Code-swift.struct/badSignature``: an answer whose signature did not verify; treat the outcome
///   as unknown (query again) and alert, because someone may be forging answers.
/// - ``Code-swift.struct/invalidRequest``: we could not even build the request (bad amount,
///   unencodable field); nothing was sent.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    /// The class of failure; extensible like grpc-swift's `RPCError.Code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case refused, notFound, rateLimited, unknownOutcome, badSignature, invalidRequest
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The provider definitely refused (a 4xx business error or an Alipay 40004 answer).
        public static let refused = Code(.refused)
        /// The provider does not know the request number.
        public static let notFound = Code(.notFound)
        /// The provider rate-limited us; nothing happened.
        public static let rateLimited = Code(.rateLimited)
        /// The request may or may not have taken effect: retry with the same number or query (R-C6).
        public static let unknownOutcome = Code(.unknownOutcome)
        /// A response or notification signature did not verify.
        public static let badSignature = Code(.badSignature)
        /// The request could not be built; nothing was sent.
        public static let invalidRequest = Code(.invalidRequest)

        public var description: String { wrapped.rawValue }
    }

    /// The class of failure.
    public var code: Code
    /// What happened, for a person.
    public var message: String
    /// Which provider answered ("wechatpay", "alipay", "bank", "operator").
    public var provider: String
    /// The provider's own error code (WeChat `code`, Alipay `sub_code` or `code`, bank/operator `code`).
    public var providerCode: String?
    /// The provider's own message (WeChat `message`, Alipay `sub_msg` or `msg`).
    public var providerMessage: String?
    /// The HTTP status, when an HTTP answer arrived.
    public var httpStatus: Int?
    /// For ``Code-swift.struct/rateLimited``: how long the provider asked us to wait, if it said.
    public var retryAfter: Duration?
    /// The underlying error (transport error, ``SignatureVerificationError``, decoding error).
    public var cause: (any Error)?

    public init(
        code: Code,
        message: String,
        provider: String,
        providerCode: String? = nil,
        providerMessage: String? = nil,
        httpStatus: Int? = nil,
        retryAfter: Duration? = nil,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.provider = provider
        self.providerCode = providerCode
        self.providerMessage = providerMessage
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.cause = cause
    }

    /// True when the request may have taken effect, so the caller must retry with the same request
    /// number or query (R-C6): unknown outcomes and answers that failed verification.
    public var outcomeIsUnknown: Bool { code == .unknownOutcome || code == .badSignature }

    public var description: String {
        var text = "\(provider) \(code): \(message)"
        if let providerCode { text += " [\(providerCode)\(providerMessage.map { ": \($0)" } ?? "")]" }
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if let retryAfter { text += " retry after \(retryAfter)" }
        if let cause { text += " — cause: \(cause)" }
        return text
    }
}
