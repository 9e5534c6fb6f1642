/// The bank's daily settlement file (`GET /bank/v1/settlements/{YYYY-MM-DD}`): CSV text, one
/// header line then one line per refund that settled or was returned that day.
///
/// Columns: `refund_no,bank_refund_id,card_payment_id,amount_fen,currency,state,settled_at_ms`.
/// Identifiers never contain commas (the server refuses them), so no quoting is needed.
public struct BankSettlementFile: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var refundNo: String
        public var bankRefundID: String
        public var cardPaymentID: String
        public var amountFen: Int64
        public var currency: String
        public var state: BankRefundState
        public var settledAtMs: Int64

        public init(
            refundNo: String,
            bankRefundID: String,
            cardPaymentID: String,
            amountFen: Int64,
            currency: String = "CNY",
            state: BankRefundState,
            settledAtMs: Int64
        ) {
            self.refundNo = refundNo
            self.bankRefundID = bankRefundID
            self.cardPaymentID = cardPaymentID
            self.amountFen = amountFen
            self.currency = currency
            self.state = state
            self.settledAtMs = settledAtMs
        }
    }

    public static let header = "refund_no,bank_refund_id,card_payment_id,amount_fen,currency,state,settled_at_ms"

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The CSV text (server half).
    public var csv: String {
        ([Self.header]
            + entries.map {
                [
                    $0.refundNo, $0.bankRefundID, $0.cardPaymentID, String($0.amountFen), $0.currency,
                    $0.state.rawValue,
                    String($0.settledAtMs),
                ].joined(separator: ",")
            }).joined(separator: "\n") + "\n"
    }

    /// Parses the CSV text (client half).
    /// - Throws: ``ProviderError`` (`unknownOutcome`: the file is unreadable, fetch it again) naming the line.
    public init(csv: String) throws {
        var lines = csv.split(whereSeparator: \.isNewline).map(String.init)
        guard lines.first == Self.header else {
            throw ProviderError(
                code: .unknownOutcome,
                message: "settlement file does not start with the header \(Self.header)",
                provider: "bank"
            )
        }
        lines.removeFirst()
        entries = try lines.enumerated().map { index, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 7, let amount = Int64(fields[3]), let settled = Int64(fields[6]) else {
                throw ProviderError(
                    code: .unknownOutcome,
                    message: "settlement file line \(index + 2) is malformed: \(line)",
                    provider: "bank"
                )
            }
            return Entry(
                refundNo: fields[0],
                bankRefundID: fields[1],
                cardPaymentID: fields[2],
                amountFen: amount,
                currency: fields[4],
                state: BankRefundState(rawValue: fields[5]),
                settledAtMs: settled
            )
        }
    }
}
