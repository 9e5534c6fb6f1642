import GRDB
import RefundMeshAPI
import RefundMeshStore

/// payment-channel's double-entry ledger (R-C5, R-C4): every movement of a refund posts one
/// journal entry whose postings sum to zero, in the transaction of the state change.
///
/// Amounts are debit-positive fen. Accounts (docs/PAYMENTS.md has the postings per movement):
/// - `refund_expense` — what refunds cost the shop (debit when a refund is owed);
/// - `refunds_payable` — what we owe users for refunds not yet paid out (credit);
/// - `fee_income` — R-C2 channel fees kept from refunds (credit);
/// - `channel_clearing:<method>` — money asked of the provider, not yet confirmed;
/// - `channel_abnormal:<method>` — money the provider could not deliver (WeChat ABNORMAL);
/// - `channel_settlement:<method>` — our funds at the provider (credit when money leaves);
/// - `overpaid_refunds` — money paid twice, to be recovered (only after an alert);
/// - `user_balance:<user>` — the platform balance owed to each user (credit); the balance shown
///   to the user is the negated sum of its postings (one source of truth).
///
/// The tables are append-only (triggers); a wrong entry is corrected by another entry.
public enum Ledger {
    /// One line of an entry.
    public struct Posting: Sendable, Hashable {
        public var account: String
        public var amountFen: Int64

        public init(_ account: String, _ amountFen: Int64) {
            self.account = account
            self.amountFen = amountFen
        }
    }

    /// One journal entry as stored.
    public struct Entry: Sendable, Hashable {
        public var entryID: Int64
        public var refundID: String
        public var movement: String
        public var atMs: Int64
        public var memo: String
        public var postings: [Posting]
    }

    public static let refundExpense = "refund_expense"
    public static let refundsPayable = "refunds_payable"
    public static let feeIncome = "fee_income"
    public static let overpaidRefunds = "overpaid_refunds"

    public static func clearing(_ method: PaymentMethod) -> String { "channel_clearing:\(methodKey(method))" }
    public static func abnormal(_ method: PaymentMethod) -> String { "channel_abnormal:\(methodKey(method))" }
    public static func settlement(_ method: PaymentMethod) -> String { "channel_settlement:\(methodKey(method))" }
    public static func userBalance(_ userID: String) -> String { "user_balance:\(userID)" }

    /// `wechat_pay`, `alipay`, `bank_card`, `balance`.
    public static func methodKey(_ method: PaymentMethod) -> String {
        switch method {
        case .wechatPay: "wechat_pay"
        case .alipay: "alipay"
        case .bankCard: "bank_card"
        case .balance: "balance"
        case .unspecified, .unrecognized: "method_\(method.rawValue)"
        }
    }

    /// The ledger's tables (migration `payment-channel.4`).
    static let schema = """
        CREATE TABLE ledger_entries (
            entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
            refund_id TEXT NOT NULL,
            movement TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            memo TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX ledger_entries_by_refund ON ledger_entries (refund_id, entry_id);
        CREATE TABLE ledger_postings (
            posting_id INTEGER PRIMARY KEY AUTOINCREMENT,
            entry_id INTEGER NOT NULL REFERENCES ledger_entries (entry_id),
            account TEXT NOT NULL,
            amount_fen INTEGER NOT NULL CHECK (amount_fen != 0)
        );
        CREATE INDEX ledger_postings_by_entry ON ledger_postings (entry_id);
        CREATE INDEX ledger_postings_by_account ON ledger_postings (account);
        CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
        BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
        CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
        BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
        CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
        BEGIN SELECT RAISE(ABORT, 'ledger_postings is append-only'); END;
        CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
        BEGIN SELECT RAISE(ABORT, 'ledger_postings is append-only'); END;
        """

    /// Posts one balanced entry in the caller's transaction. Zero postings are dropped; an entry
    /// left with none is not written.
    /// - Throws: ``PaymentChannelError`` when the postings do not sum to zero (the transaction
    ///   then rolls back with the state change it belonged to).
    @discardableResult
    static func post(
        _ db: some SQLSession,
        refundID: String,
        movement: String,
        postings: [Posting],
        memo: String = "",
        at nowMs: Int64
    ) throws -> Int64? {
        let postings = postings.filter { $0.amountFen != 0 }
        guard !postings.isEmpty else { return nil }
        let total = postings.reduce(Int64(0)) { $0 + $1.amountFen }
        guard total == 0 else {
            throw PaymentChannelError.refused(
                "ledger entry \(movement) of refund \(refundID) does not balance (sum \(total) fen): \(postings)"
            )
        }
        guard
            let entryID = try db.value(
                Int64.self,
                "INSERT INTO ledger_entries (refund_id, movement, at_ms, memo) VALUES (?, ?, ?, ?) RETURNING entry_id",
                [refundID, movement, nowMs, memo]
            )
        else {
            throw PaymentChannelError.refused("ledger entry \(movement) of refund \(refundID) was not stored")
        }
        for posting in postings {
            try db.run(
                "INSERT INTO ledger_postings (entry_id, account, amount_fen) VALUES (?, ?, ?)",
                [entryID, posting.account, posting.amountFen]
            )
        }
        // Checked again as stored: what is in the table balances, whatever the code above did.
        let stored =
            try db.value(
                Int64.self,
                "SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_postings WHERE entry_id = ?",
                [entryID]
            ) ?? 0
        guard stored == 0 else {
            throw PaymentChannelError.refused("ledger entry \(entryID) stored unbalanced (\(stored) fen)")
        }
        return entryID
    }

    /// The refund's net position per account: what every entry of it posted, summed.
    static func positions(_ db: some SQLSession, refundID: String) throws -> [Posting] {
        try db.rows(
            """
            SELECT p.account AS account, SUM(p.amount_fen) AS total FROM ledger_postings p
            JOIN ledger_entries e ON e.entry_id = p.entry_id
            WHERE e.refund_id = ? GROUP BY p.account HAVING SUM(p.amount_fen) != 0 ORDER BY p.account
            """,
            [refundID]
        ).map { Posting(try $0["account"], try $0["total"]) }
    }

    /// The refund's entries with their postings, oldest first.
    static func entries(_ db: some SQLSession, refundID: String) throws -> [Entry] {
        let rows = try db.rows("SELECT * FROM ledger_entries WHERE refund_id = ? ORDER BY entry_id", [refundID])
        return try rows.map { row in
            let id: Int64 = try row["entry_id"]
            let postings = try db.rows(
                "SELECT account, amount_fen FROM ledger_postings WHERE entry_id = ? ORDER BY posting_id",
                [id]
            ).map { Posting(try $0["account"], try $0["amount_fen"]) }
            return Entry(
                entryID: id,
                refundID: try row["refund_id"],
                movement: try row["movement"],
                atMs: try row["at_ms"],
                memo: try row["memo"],
                postings: postings
            )
        }
    }

    /// The balance of one account (debit positive).
    static func balance(_ db: some SQLSession, account: String) throws -> Int64 {
        try db.value(
            Int64.self,
            "SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_postings WHERE account = ?",
            [account]
        ) ?? 0
    }

    /// The trial balance: every account's balance, the total (zero when the books balance), the
    /// entry count and any entry whose own postings do not sum to zero.
    public struct TrialBalance: Sendable, Hashable {
        public var accounts: [Posting]
        public var totalFen: Int64
        public var entries: Int64
        public var unbalancedEntryIDs: [Int64]
        public var isBalanced: Bool { totalFen == 0 && unbalancedEntryIDs.isEmpty }
    }

    static func trialBalance(_ db: some SQLSession) throws -> TrialBalance {
        let accounts = try db.rows(
            "SELECT account, SUM(amount_fen) AS total FROM ledger_postings GROUP BY account ORDER BY account"
        ).map { Posting(try $0["account"], try $0["total"]) }
        let unbalanced = try db.rows(
            """
            SELECT e.entry_id FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_id = e.entry_id
            GROUP BY e.entry_id HAVING COALESCE(SUM(p.amount_fen), 0) != 0 ORDER BY e.entry_id
            """
        ).map { try $0[0] as Int64 }
        return TrialBalance(
            accounts: accounts,
            totalFen: accounts.reduce(0) { $0 + $1.amountFen },
            entries: try db.value(Int64.self, "SELECT COUNT(*) FROM ledger_entries") ?? 0,
            unbalancedEntryIDs: unbalanced
        )
    }
}
