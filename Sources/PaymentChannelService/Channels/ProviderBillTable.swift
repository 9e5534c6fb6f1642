/// A provider's CSV bill read by its header line: each record is looked up by column name, so
/// the sandbox's English headers and WeChat Pay's Chinese ones (`商户退款单号` …) read alike.
/// WeChat writes every value with a leading backtick (`` `0.01 ``) and ends the file with a
/// summary block starting `总…`; both are handled. Values never contain commas in these bills.
struct ProviderBillTable {
    /// Column index by name.
    private let columns: [String: Int]
    /// The data rows, each split into trimmed fields.
    let rows: [[String]]

    init(lines: [String]) {
        var lines = lines.map { $0.trimmingCharacters(in: [" ", "\r", "\u{FEFF}"]) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else {
            columns = [:]
            rows = []
            return
        }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(Self.clean)
        columns = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        // WeChat's summary block ("总交易单数,…" and its values) ends the records.
        let records = lines.prefix { !$0.hasPrefix("总") }
        rows = records.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(Self.clean) }
    }

    /// The value of the first of `names` that is a column, in `row`.
    func value(_ row: [String], _ names: String...) -> String? {
        for name in names {
            if let index = columns[name], index < row.count { return row[index] }
        }
        return nil
    }

    /// Whether any of `names` is a column.
    func has(_ names: String...) -> Bool { names.contains { columns[$0] != nil } }

    private static func clean(_ field: Substring) -> String {
        var text = field.trimmingCharacters(in: [" ", "\""])
        while text.hasPrefix("`") { text.removeFirst() }
        return text
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var start = startIndex
        var end = endIndex
        while start < end, set.contains(self[start]) { start = index(after: start) }
        while end > start, set.contains(self[index(before: end)]) { end = index(before: end) }
        return String(self[start..<end])
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
