import Foundation
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshRPC
import RefundMeshWire
import Testing

/// Tokens over real TCP against the real services (docs/SECURITY.md): stolen service keys,
/// forged and stale tokens, users reaching for other users' refunds, reviewers posing as
/// others, and keys rotated while the mesh runs.
@Suite("authenticated callers over real TCP")
struct AuthenticationMeshTests {
    static func options(_ token: String?) -> CallOptions {
        var options = CallOptions(timeout: .seconds(60), maxAttempts: 1)
        if let token { options.metadata.addString("Bearer " + token, forKey: "authorization") }
        return options
    }

    static func status(_ body: () async throws -> Void) async -> (code: StatusCode, message: String) {
        do {
            try await body()
            return (.ok, "")
        } catch let error as RPCError {
            return (error.code, error.message)
        } catch {
            return (.unknown, "\(error)")
        }
    }

    static func key(_ issuer: String) throws -> SigningKey {
        try SigningKey(contentsOfFile: TestKeys.keySet.keyFile(issuer: issuer).path)
    }

    static func mint(
        _ key: SigningKey,
        subject: String,
        roles: [Role],
        audience: String,
        now: Int64? = nil
    ) throws
        -> String
    {
        let now = now ?? Int64(Date().timeIntervalSince1970)
        return try AccessToken.mint(
            TokenClaims(
                issuer: key.issuer,
                subject: subject,
                audience: [audience],
                roles: roles,
                issuedAt: now,
                expiresAt: now + 600
            ),
            key: key
        )
    }

    @Test("a service's key cannot move money or act beyond its own role")
    func stolenServiceKeys() async throws {
        let mesh = try Mesh()
        try await mesh.start()
        let payments = PaymentChannel.Client(mesh.client("payment-channel", signed: false))
        let execute = ExecuteRefundRequest()
        // Genuine tokens of intake, payment-channel and notification: ExecuteRefund is review's.
        for service in ["intake", "payment-channel", "notification"] {
            let token = try TestKeys.minter.token(subject: service, role: Role(service), audience: "payment-channel")
            let result = await Self.status {
                _ = try await payments.executeRefund(execute, options: Self.options(token))
            }
            #expect(result.code == .permissionDenied, "\(service): \(result)")
            #expect(result.message.contains("may be called by review"), "\(result.message)")
        }
        // review's genuine token passes authorization (the empty request then fails validation).
        let review = try TestKeys.minter.token(subject: "review", role: .review, audience: "payment-channel")
        let allowed = await Self.status { _ = try await payments.executeRefund(execute, options: Self.options(review)) }
        #expect(allowed.code != .permissionDenied && allowed.code != .unauthenticated, "\(allowed)")
        // review's token for notification, replayed at payment-channel by a compromised notification.
        let replayed = try TestKeys.minter.token(subject: "review", role: .review, audience: "notification")
        let replay = await Self.status {
            _ = try await payments.executeRefund(execute, options: Self.options(replayed))
        }
        #expect(replay.code == .unauthenticated && replay.message.contains("not for payment-channel"), "\(replay)")
        // notification's key claiming review's role, or an operator's: the trust file grants neither.
        let notificationKey = try Self.key("notification")
        for role in [Role.review, .operator, .platform] {
            let forged = try Self.mint(notificationKey, subject: "review", roles: [role], audience: "payment-channel")
            let result = await Self.status {
                _ = try await payments.executeRefund(execute, options: Self.options(forged))
            }
            #expect(result.code == .unauthenticated && result.message.contains("may not grant"), "\(role): \(result)")
        }
        let intakeAsOperator = try Self.mint(
            try Self.key("intake"),
            subject: "x",
            roles: [.operator],
            audience: "intake"
        )
        let status = await Self.status {
            _ = try await Operations.Client(mesh.client("intake", signed: false))
                .status(StatusRequest(), options: Self.options(intakeAsOperator))
        }
        #expect(status.code == .unauthenticated, "\(status)")
        _ = try await mesh.stop()
    }

    @Test("expired, tampered, unknown-key, unsigned and malformed tokens are refused; the service keeps serving")
    func badTokens() async throws {
        let mesh = try Mesh()
        try await mesh.start("notification")
        let client = mesh.client("notification", signed: false)
        let operations = Operations.Client(client)
        let staff = try Self.key("staff")
        let good = try Self.mint(staff, subject: "alice", roles: [.operator], audience: "notification")
        let parts = good.split(separator: ".").map(String.init)
        var payload = Array(parts[1])
        payload[10] = payload[10] == "A" ? "B" : "A"
        let stranger = SigningKey(keyID: staff.keyID, issuer: "staff")
        let none = Data(#"{"alg":"none","kid":"\#(staff.keyID)"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
        let cases: [(String, String?, String)] = [
            ("no token", nil, "needs an access token"),
            (
                "expired",
                try Self.mint(
                    staff,
                    subject: "alice",
                    roles: [.operator],
                    audience: "notification",
                    now: Int64(Date().timeIntervalSince1970) - 7200
                ), "expired"
            ),
            ("tampered payload", [parts[0], String(payload), parts[2]].joined(separator: "."), "signature"),
            (
                "signed by another key with the same id",
                try Self.mint(stranger, subject: "alice", roles: [.operator], audience: "notification"), "signature"
            ),
            (
                "unknown key",
                try Self.mint(
                    SigningKey(keyID: "staff-0000", issuer: "staff"),
                    subject: "alice",
                    roles: [.operator],
                    audience: "notification"
                ), "does not trust"
            ),
            ("alg none", "\(none).\(parts[1]).", "only EdDSA"),
            ("garbage", "abc", "not a JWT"),
            ("oversized", String(repeating: "A", count: 5000), "longer than"),
        ]
        for (name, token, words) in cases {
            let result = await Self.status {
                _ = try await operations.status(StatusRequest(), options: Self.options(token))
            }
            #expect(result.code == .unauthenticated, "\(name): \(result)")
            #expect(result.message.contains(words), "\(name): \(result.message)")
        }
        var basic = CallOptions(timeout: .seconds(60), maxAttempts: 1)
        basic.metadata.addString("Basic YWxpY2U6c2VjcmV0", forKey: "authorization")
        let basicResult = await Self.status { _ = try await operations.status(StatusRequest(), options: basic) }
        #expect(basicResult.code == .unauthenticated, "\(basicResult)")
        // Still serving, and the good token works.
        #expect(try await Health.Client(client).check(HealthCheckRequest()).status == .serving)
        let ok = await Self.status { _ = try await operations.status(StatusRequest(), options: Self.options(good)) }
        #expect(ok.code == .ok, "\(ok)")
        await client.close()
        _ = try await mesh.stop()
    }

    @Test("a user's token reaches only that user's orders and refunds; the platform cannot pose as a user")
    func usersOwnRefundsOnly() async throws {
        let mesh = try Mesh()
        try await mesh.start()
        let signed = Intake.Client(mesh.client("intake"))
        let order = IntakeServiceTests.cardKeyOrder("o-auth-1", user: "u-alice")
        _ = try await signed.recordOrder(RecordOrderRequest(order: order))
        let refund = try await signed.submitRefund(
            IntakeServiceTests.submission("k-auth-1", order: "o-auth-1", user: "u-alice")
        )
        let intake = Intake.Client(mesh.client("intake", signed: false))
        let mallory = try TestKeys.minter.token(subject: "u-mallory", role: .user, audience: "intake")
        let asAlice = GetRefundRequest(userID: "u-alice", refundID: refund.refundID)
        let read = await Self.status { _ = try await intake.getRefund(asAlice, options: Self.options(mallory)) }
        #expect(read.code == .permissionDenied && read.message.contains("u-mallory"), "\(read)")
        // Her own user id with Alice's refund id: intake refuses, and tells nothing of Alice's.
        let own = GetRefundRequest(userID: "u-mallory", refundID: refund.refundID)
        let probe = await Self.status { _ = try await intake.getRefund(own, options: Self.options(mallory)) }
        #expect(probe.code == .notFound || probe.code == .permissionDenied, "\(probe)")
        #expect(!probe.message.contains("u-alice") && !probe.message.contains("o-auth-1"), "\(probe)")
        let submit = IntakeServiceTests.submission("k-auth-2", order: "o-auth-1", user: "u-alice")
        let steal = await Self.status { _ = try await intake.submitRefund(submit, options: Self.options(mallory)) }
        #expect(steal.code == .permissionDenied, "\(steal)")
        // A platform token is not a user token; one with both roles acts as a user only here.
        let platform = try TestKeys.minter.token(subject: "front-end", role: .platform, audience: "intake")
        let asPlatform = await Self.status {
            _ = try await intake.submitRefund(submit, options: Self.options(platform))
        }
        #expect(asPlatform.code == .permissionDenied, "\(asPlatform)")
        let both = try Self.mint(
            try Self.key("platform"),
            subject: "u-mallory",
            roles: [.platform, .user],
            audience: "intake"
        )
        let mixed = await Self.status { _ = try await intake.submitRefund(submit, options: Self.options(both)) }
        #expect(mixed.code == .permissionDenied, "\(mixed)")
        let alice = try TestKeys.minter.token(subject: "u-alice", role: .user, audience: "intake")
        #expect(try await intake.getRefund(asAlice, options: Self.options(alice)).refundID == refund.refundID)
        // Nothing was stored by the refused calls: Alice has her one refund.
        let list = try await intake.listRefunds(ListRefundsRequest(userID: "u-alice"), options: Self.options(alice))
        #expect(list.refunds.count == 1)
        _ = try await mesh.stop()
    }

    @Test("a reviewer acts only as themself (R-R10)")
    func reviewerIsTheTokensSubject() async throws {
        let mesh = try Mesh()
        try await mesh.start("review")
        let review = Review.Client(mesh.client("review", signed: false))
        let alice = try TestKeys.minter.token(subject: "alice", role: .reviewer, audience: "review")
        var posing = Self.options(alice)
        posing.metadata.addString("bob", forKey: "reviewer-id")
        let result = await Self.status { _ = try await review.listQueue(ListQueueRequest(), options: posing) }
        #expect(result.code == .permissionDenied && result.message.contains("R-R10"), "\(result)")
        var honest = Self.options(alice)
        honest.metadata.addString("alice", forKey: "reviewer-id")
        _ = try await review.listQueue(ListQueueRequest(), options: honest)
        _ = try await review.listQueue(ListQueueRequest(), options: Self.options(alice))
        _ = try await mesh.stop()
    }

    @Test("an operator's records name the operator who signed in (R-R10): resolutions and dead-letter retries")
    func operatorRecordsNameTheSigner() async throws {
        let mesh = try Mesh()
        try await mesh.start("notification")
        try await mesh.start("payment-channel")
        let alice = try TestKeys.minter.token(subject: "alice", role: .operator, audience: AccessToken.anyService)
        let payments = PaymentChannel.Client(mesh.client("payment-channel", signed: false))
        let resolve = ResolveRefundRequest(refundID: "r-none", action: .toBalance, operatorID: "bob", note: "x")
        let posing = await Self.status { _ = try await payments.resolveRefund(resolve, options: Self.options(alice)) }
        #expect(posing.code == .permissionDenied && posing.message.contains("alice"), "\(posing)")
        let notification = RefundMeshAPI.Notification.Client(mesh.client("notification", signed: false))
        let retry = RetryDeadLetterRequest(deliveryID: "d-none", operatorID: "bob")
        let retried = await Self.status {
            _ = try await notification.retryDeadLetter(retry, options: Self.options(alice))
        }
        #expect(retried.code == .permissionDenied, "\(retried)")
        // As herself, the calls reach the handlers (which find nothing to resolve or retry).
        let honest = ResolveRefundRequest(refundID: "r-none", action: .toBalance, operatorID: "alice", note: "x")
        let own = await Self.status { _ = try await payments.resolveRefund(honest, options: Self.options(alice)) }
        #expect(own.code == .notFound || own.code == .failedPrecondition || own.code == .invalidArgument, "\(own)")
        _ = try await mesh.stop()
    }

    @Test("keys rotate while the mesh runs: two keys active, then the old one retired")
    func rotationWithoutRestart() async throws {
        let keySet = KeySet(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("rotation-\(UUID().uuidString)")
        )
        try keySet.create()
        let mesh = try Mesh(extraEnvironment: ["REFUNDMESH_AUTH_DIR": keySet.directory.path])
        try await mesh.start("notification")
        let operations = Operations.Client(mesh.client("notification", signed: false))
        func answer(_ token: String) async -> StatusCode {
            await Self.status { _ = try await operations.status(StatusRequest(), options: Self.options(token)) }.code
        }
        func eventually(_ token: String, _ expected: StatusCode) async throws -> Bool {
            for _ in 0..<60 {
                if await answer(token) == expected { return true }
                try await Task.sleep(for: .milliseconds(500))
            }
            return false
        }
        let old = try TokenMinter(keys: keySet.keyring()).token(
            subject: "alice",
            role: .operator,
            audience: "notification"
        )
        #expect(await answer(old) == .ok)
        let (oldID, newID) = try keySet.rotate(issuer: "staff")
        let new = try TokenMinter(keys: keySet.keyring()).token(
            subject: "alice",
            role: .operator,
            audience: "notification"
        )
        #expect(new != old)
        #expect(try await eventually(new, .ok), "the new key \(newID) was never trusted")
        #expect(await answer(old) == .ok, "both keys are active during the rotation")
        try keySet.retire(keyID: oldID)
        #expect(try await eventually(old, .unauthenticated), "the retired key \(oldID) is still trusted")
        #expect(await answer(new) == .ok)
        _ = try await mesh.stop()
        try? FileManager.default.removeItem(at: keySet.directory)
    }
}
