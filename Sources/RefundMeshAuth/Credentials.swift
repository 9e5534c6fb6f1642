import RefundMeshRPC

/// Adds a service's own token to every call it makes to one peer: subject and role are the
/// service's name, the audience is the peer, so a peer cannot replay it elsewhere.
public struct ServiceCredentials: ClientInterceptor {
    public let minter: TokenMinter
    public let service: Role
    public let peer: String

    public init(minter: TokenMinter, service: Role, peer: String) {
        self.minter = minter
        self.service = service
        self.peer = peer
    }

    public func intercept<Output: Sendable>(
        method: MethodDescriptor,
        options: CallOptions,
        next: (CallOptions) async throws -> Output
    ) async throws -> Output {
        var options = options
        if options.metadata[AuthenticationInterceptor.metadataKey] == nil {
            let token = try credentialError {
                try minter.token(subject: service.rawValue, role: service, audience: peer)
            }
            options.metadata.replaceOrAddString("Bearer " + token, forKey: AuthenticationInterceptor.metadataKey)
        }
        return try await next(options)
    }
}

/// Picks, per call, a role the method's rule admits and that one of its keys may grant, and adds
/// a token for it: the credentials of tools (refundctl, refund-bench) and of the platform's own
/// callers, which hold the platform's and staff's keys.
///
/// For a method users may call, a call made for a user (``CallOptions/actingUser``, which the
/// stubs take from the request's `user_id`) gets a user token for that user, as the platform's
/// front end would mint after signing the user in.
public struct KeyringCredentials: ClientInterceptor {
    /// A reviewer's calls name the reviewer in this entry (R-R10); their token is minted for them.
    public static let reviewerMetadataKey = "reviewer-id"

    public let minter: TokenMinter
    public let policy: AuthorizationPolicy
    /// The subject of staff and platform tokens (an operator's name, `refundctl`).
    public let subject: String
    /// The roles tried, first admitted and grantable wins.
    public let preference: [Role]

    public init(
        minter: TokenMinter,
        policy: AuthorizationPolicy,
        subject: String,
        preference: [Role] = [.user, .platform, .reviewer, .operator] + Role.services
    ) {
        self.minter = minter
        self.policy = policy
        self.subject = subject
        self.preference = preference
    }

    public func intercept<Output: Sendable>(
        method: MethodDescriptor,
        options: CallOptions,
        next: (CallOptions) async throws -> Output
    ) async throws -> Output {
        var options = options
        if options.metadata[AuthenticationInterceptor.metadataKey] == nil, let token = try token(for: method, options) {
            options.metadata.replaceOrAddString("Bearer " + token, forKey: AuthenticationInterceptor.metadataKey)
        }
        return try await next(options)
    }

    func token(for method: MethodDescriptor, _ options: CallOptions) throws -> String? {
        let rule = policy[method.path] ?? .anyCaller
        if rule == .anyone { return nil }
        for role in preference where rule.admits(role) && minter.canGrant(role) {
            let subject: String
            if role == .user {
                guard let user = options.actingUser, !user.isEmpty else { continue }
                subject = user
            } else if role == .reviewer || role == .operator, let staff = options.actingStaff, !staff.isEmpty {
                subject = staff
            } else if role == .reviewer, let reviewer = options.metadata[Self.reviewerMetadataKey], !reviewer.isEmpty {
                subject = reviewer
            } else if Role.services.contains(role) {
                subject = role.rawValue
            } else {
                subject = self.subject
            }
            return try credentialError {
                try minter.token(subject: subject, role: role, audience: AccessToken.anyService)
            }
        }
        // Nothing fits: call without a token and let the server say what is needed.
        return nil
    }
}

private func credentialError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as AuthenticationError {
        throw RPCError(
            code: .unauthenticated,
            message: "cannot make a token for this call: \(error.message)",
            cause: error
        )
    }
}
