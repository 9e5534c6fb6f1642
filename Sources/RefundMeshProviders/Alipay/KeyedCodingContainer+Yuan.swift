extension KeyedDecodingContainer {
    /// Decodes a yuan string as fen, exactly (``YuanAmount``).
    func decodeYuan(forKey key: Key) throws -> Int64 {
        let text = try decode(String.self, forKey: key)
        do {
            return try YuanAmount.fen(fromYuan: text, field: key.stringValue)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: error.description)
        }
    }

    func decodeYuanIfPresent(forKey key: Key) throws -> Int64? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeYuan(forKey: key)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeYuan(_ fen: Int64, forKey key: Key) throws {
        try encode(YuanAmount.yuanString(fen: fen), forKey: key)
    }

    mutating func encodeYuanIfPresent(_ fen: Int64?, forKey key: Key) throws {
        if let fen { try encodeYuan(fen, forKey: key) }
    }
}
