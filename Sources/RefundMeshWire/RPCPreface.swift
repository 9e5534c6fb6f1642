/// The eight bytes each side sends first: the ASCII magic `RMRPC\r\n` and a protocol version.
///
/// A stray client (an HTTP request, a health probe that speaks something else) or a peer of
/// another version is told so clearly instead of being answered with garbage
/// (docs/PROTOCOL.md, "Connection preface").
public enum RPCPreface {
    /// `R M R P C \r \n`.
    public static let magic: [UInt8] = [0x52, 0x4D, 0x52, 0x50, 0x43, 0x0D, 0x0A]
    /// The protocol version this implementation speaks.
    public static let version: UInt8 = 1
    /// The whole preface: magic then version.
    public static let bytes: [UInt8] = magic + [version]
    public static var count: Int { bytes.count }
}
