import RefundMeshAPI

/// One signal that fired, with its weight and the sentence a reviewer reads (R-R7).
public struct RiskFinding: Sendable, Hashable {
    public var kind: RiskSignalKind
    /// Points it adds to the score (the configured weight, > 0).
    public var weight: Int
    /// What was seen, with the concrete values, e.g. "requester device d-9 differs from the
    /// buyer's device d-1 (R-R7)".
    public var detail: LocalizedText

    public init(kind: RiskSignalKind, weight: Int, detail: LocalizedText) {
        self.kind = kind
        self.weight = weight
        self.detail = detail
    }

    /// As the wire carries it, with the detail in `locale`.
    public func signal(_ locale: RefundLocale = .zhCN) -> RiskSignal {
        RiskSignal(name: kind.name, weight: Int32(clamping: weight), detail: detail.text(locale))
    }
}
