/// Who may call a method.
public enum MethodRule: Sendable, Equatable {
    /// Anyone, without a token: health checks only (probes and load balancers call them).
    case anyone
    /// Any caller with a valid token, whatever its roles.
    case anyCaller
    /// Callers with at least one of these roles. When `user` is among them, a user may act only
    /// on their own orders and refunds (the handler calls ``Caller/requireActing(forUser:)``).
    case roles(Set<Role>)

    /// The roles this rule admits; nil for ``anyone`` and ``anyCaller``.
    public var roles: Set<Role>? {
        if case .roles(let roles) = self { return roles }
        return nil
    }

    public func admits(_ role: Role) -> Bool {
        switch self {
        case .anyone, .anyCaller: return true
        case .roles(let roles): return roles.contains(role)
        }
    }
}

/// The rule of every method a server serves, by method path (`/package.Service/Method`).
/// A method without a rule is refused: nothing is callable by accident.
public struct AuthorizationPolicy: Sendable {
    public private(set) var rules: [String: MethodRule]

    public init(rules: [String: MethodRule] = [:]) {
        self.rules = rules
    }

    public subscript(path: String) -> MethodRule? {
        get { rules[path] }
        set { rules[path] = newValue }
    }

    /// The rules of both, `other`'s winning.
    public func merging(_ other: AuthorizationPolicy) -> AuthorizationPolicy {
        AuthorizationPolicy(rules: rules.merging(other.rules) { _, new in new })
    }
}
