import Crypto
import Foundation

/// A shared secret (HMAC key, WeChat APIv3 key) that can cross concurrency domains.
///
/// swift-crypto's `SymmetricKey` is not `Sendable` in the version we build with, so configurations
/// hold the bytes here and make a `SymmetricKey` at the point of use.
public struct SecretKey: Sendable {
    private let bytes: [UInt8]

    /// A key from raw bytes.
    public init(bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }

    /// A key given as text (how banks hand out HMAC keys and WeChat the APIv3 key): its UTF-8 bytes.
    public init(text: String) { self.bytes = Array(text.utf8) }

    /// The key's length in bytes.
    public var byteCount: Int { bytes.count }

    /// The key for swift-crypto.
    public var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }
}
