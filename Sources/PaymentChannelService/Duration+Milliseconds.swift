extension Duration {
    /// The duration in whole milliseconds (sub-millisecond parts dropped).
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
