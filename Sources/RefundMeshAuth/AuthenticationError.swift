import RefundMeshRPC

/// Why a token was not accepted: becomes UNAUTHENTICATED with ``message``.
public struct AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case missing, malformed, unknownKey, badSignature, expired, notYetValid, tooLong, wrongAudience
        case roleNotGranted, invalidClaims
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    var rpcError: RPCError {
        RPCError(code: .unauthenticated, message: message + " (docs/SECURITY.md)", cause: self)
    }
}

/// A key or trust file that could not be read: the service does not start.
public struct KeyFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
