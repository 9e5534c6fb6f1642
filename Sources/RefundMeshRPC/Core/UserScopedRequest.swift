/// A request made on behalf of one end user, named in the request itself (its `user_id`).
///
/// Client stubs copy ``actingUserID`` into ``CallOptions/actingUser`` so credential interceptors
/// can present a token for that user; the server checks the two agree.
public protocol UserScopedRequest {
    var actingUserID: String { get }
}

extension CallOptions {
    /// These options with ``actingUser`` taken from `request` when it names a user and the
    /// caller set none.
    func actingFor(_ request: some Sendable) -> CallOptions {
        guard actingUser == nil, let scoped = request as? any UserScopedRequest else { return self }
        var options = self
        options.actingUser = scoped.actingUserID
        return options
    }
}
