import RefundMeshRPC

// The requests of user methods name their user: stubs present a token for that user, and the
// handlers check the caller may act for them (docs/SECURITY.md).

extension PreCheckRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension SubmitRefundRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension WithdrawRefundRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension SupplyMaterialsRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension AnswerOfferRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension ListRefundsRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension GetRefundRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension ListInboxRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension MarkReadRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension WatchInboxRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension ChannelPreferences: UserScopedRequest { public var actingUserID: String { userID } }
extension GetPreferencesRequest: UserScopedRequest { public var actingUserID: String { userID } }
extension GetBalanceRequest: UserScopedRequest { public var actingUserID: String { userID } }

extension ResolveRefundRequest: StaffAttributedRequest { public var attributedStaffID: String { operatorID } }
extension RetryDeadLetterRequest: StaffAttributedRequest { public var attributedStaffID: String { operatorID } }
