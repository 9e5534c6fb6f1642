/// Checks a bill/settlement date is "YYYY-MM-DD".
enum BillDate {
    static func validate(_ date: String, provider: String) throws -> String {
        guard ChinaTime.parseAlipayTimestamp(date + " 00:00:00") != nil else {
            throw ProviderError(
                code: .invalidRequest,
                message: "bill date \"\(date)\" is not YYYY-MM-DD",
                provider: provider
            )
        }
        return date
    }
}
