/// A request made on behalf of one end user, named in the request itself (its `user_id`).
///
/// Client stubs copy ``actingUserID`` into ``CallOptions/actingUser`` so credential interceptors
/// can present a token for that user; the server checks the two agree.
public protocol UserScopedRequest {
    var actingUserID: String { get }
}

/// A request that records which staff member made it (an operator's resolution, a dead letter
/// put back): the id must be the signed-in person's, so the record cannot name someone else.
public protocol StaffAttributedRequest {
    var attributedStaffID: String { get }
}

extension CallOptions {
    /// These options with ``actingUser`` or ``actingStaff`` taken from `request` when it names
    /// one and the caller set none.
    func actingFor(_ request: some Sendable) -> CallOptions {
        var options = self
        if options.actingUser == nil, let scoped = request as? any UserScopedRequest {
            options.actingUser = scoped.actingUserID
        }
        if options.actingStaff == nil, let attributed = request as? any StaffAttributedRequest {
            options.actingStaff = attributed.attributedStaffID
        }
        return options
    }
}
