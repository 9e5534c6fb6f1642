/// Random nonces and development secrets from the system's cryptographically secure generator
/// (`SystemRandomNumberGenerator` reads getrandom(2) on Linux).
enum RandomText {
    private static let alphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `bytes` random bytes as upper-case hex (WeChat's nonce_str style, certificate serials).
    static func hex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `count` random letters and digits (AES-GCM nonces of WeChat notifications, APIv3 keys).
    static func alphanumeric(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<count).map { _ in
            alphanumerics[Int.random(in: 0..<alphanumerics.count, using: &generator)]
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
