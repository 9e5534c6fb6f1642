/// A scripted behaviour for the requests it matches: "the next 2 refunds of order O-1 at WeChat
/// answer SYSTEM_ERROR", "refund R-9 settles ABNORMAL". Added by `POST /sandbox/v1/rules`.
public struct BehaviourRule: Codable, Sendable, Equatable {
    /// Which requests a rule applies to: every given field must equal the request's.
    public struct Match: Codable, Sendable, Equatable {
        /// WeChat `out_refund_no`, Alipay `out_request_no`, bank `refund_no`.
        public var refundNo: String?
        /// WeChat `out_trade_no` (or `transaction_id`), Alipay `out_trade_no`, bank `card_payment_id`.
        public var outTradeNo: String?
        /// The game operator's order id.
        public var orderID: String?
        /// The SMS recipient.
        public var phone: String?

        public init(refundNo: String? = nil, outTradeNo: String? = nil, orderID: String? = nil, phone: String? = nil) {
            self.refundNo = refundNo
            self.outTradeNo = outTradeNo
            self.orderID = orderID
            self.phone = phone
        }

        enum CodingKeys: String, CodingKey {
            case refundNo = "refund_no"
            case outTradeNo = "out_trade_no"
            case orderID = "order_id"
            case phone
        }

        func matches(_ facts: RequestFacts) -> Bool {
            (refundNo == nil || refundNo == facts.refundNo) && (outTradeNo == nil || outTradeNo == facts.tradeNo)
                && (orderID == nil || orderID == facts.orderID) && (phone == nil || phone == facts.phone)
        }
    }

    /// Assigned when the rule is added.
    public var ruleID: String?
    /// `wechat`, `alipay`, `bank`, `operator`, `sms`, or `*` for all.
    public var provider: String
    /// Which requests; an empty match takes every request of the provider.
    public var match: Match
    /// How many requests the rule applies to before it is used up; 0 = forever. Default 1.
    public var times: Int
    /// What to do.
    public var behaviour: Behaviour
    /// How many requests it has applied to so far.
    public var used: Int

    public init(
        provider: String,
        match: Match = Match(),
        times: Int = 1,
        behaviour: Behaviour
    ) {
        self.provider = provider
        self.match = match
        self.times = times
        self.behaviour = behaviour
        self.used = 0
    }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id"
        case provider, match, times, behaviour, used
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ruleID = try container.decodeIfPresent(String.self, forKey: .ruleID)
        provider = try container.decodeIfPresent(String.self, forKey: .provider) ?? "*"
        match = try container.decodeIfPresent(Match.self, forKey: .match) ?? Match()
        times = try container.decodeIfPresent(Int.self, forKey: .times) ?? 1
        behaviour = try container.decodeIfPresent(Behaviour.self, forKey: .behaviour) ?? Behaviour()
        used = try container.decodeIfPresent(Int.self, forKey: .used) ?? 0
    }

    /// Checks the rule as a person wrote it.
    /// - Throws: ``SandboxRequestError`` naming the field.
    public func validate() throws {
        guard provider == "*" || ProviderKind(rawValue: provider) != nil else {
            throw SandboxRequestError(
                "provider is \"\(provider)\"; expected one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")) or *"
            )
        }
        guard times >= 0 else { throw SandboxRequestError("times is \(times); it must be 0 (forever) or more") }
        try behaviour.validate()
    }

    /// Whether the rule has applied to as many requests as it may.
    var isUsedUp: Bool { times > 0 && used >= times }
}

/// What a request is about, for matching rules.
struct RequestFacts: Sendable {
    var provider: ProviderKind
    var refundNo: String?
    var tradeNo: String?
    var orderID: String?
    var phone: String?
}
