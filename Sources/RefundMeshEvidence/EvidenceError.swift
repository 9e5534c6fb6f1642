/// An evidence failure a caller has to act on (R-R9): a key that cannot be read, a log that does
/// not chain, an export that cannot be decoded.
///
/// Like the store's `StoreError` and the RPC runtime's `RPCError`: an extensible ``Code``, a
/// message written for a person, and the underlying ``cause``.
public struct EvidenceError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a small extensible set of codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidKey
            case keyFile
            case logInconsistent
            case malformed
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// A key that is not 32 bytes of Ed25519 key material.
        public static let invalidKey = Code(.invalidKey)
        /// The signing key file could not be read or created.
        public static let keyFile = Code(.keyFile)
        /// The stored log does not chain (a row edited or removed): nothing may be signed over it.
        public static let logInconsistent = Code(.logInconsistent)
        /// Input that is not in the documented format (docs/EVIDENCE.md).
        public static let malformed = Code(.malformed)

        public var description: String {
            switch wrapped {
            case .invalidKey: "invalidKey"
            case .keyFile: "keyFile"
            case .logInconsistent: "logInconsistent"
            case .malformed: "malformed"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// A sentence a person can act on.
    public var message: String
    /// The error behind this one, if any.
    public var cause: (any Error)?

    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }
}
