import AsyncHTTPClient
import Foundation
import ProviderSandbox
import RefundMeshAPI
import RefundMeshProviders
import RefundMeshRPC
import Testing

/// The four services and the real `provider-sandbox` process, wired as in production: a
/// generated development key set shared by all of them, payment-channel's WeChat Pay, Alipay and
/// bank-card adapters talking real HTTP to the sandbox and receiving its notifications on their
/// notify endpoint (R-C9), review asking the sandbox's game operator (R-R2), notification
/// sending SMS through it (R-N2). Settings are the fast test ones (``fastSettings``); ports come
/// from ``Mesh/freePort()``.
final class MoneyMesh: @unchecked Sendable {
    // @unchecked: processes are started and stopped only by the owning test.
    let mesh: Mesh
    let sandbox: ServiceProcess
    let sandboxPort: Int
    let notifyPort: Int
    let keys: ProviderKeySet
    let keysDirectory: URL
    let control: SandboxControlClient
    let intake: Intake.Client
    let review: Review.Client
    let payments: PaymentChannel.Client
    let notification: RefundMeshAPI.Notification.Client
    private let rpcClients: [RPCClient]
    /// Every refund a test drove, for the shared invariant check.
    let ledger = RefundsDriven()

    /// The fast test settings of both sides (docs/TESTING.md): R-C7 intervals of milliseconds, not
    /// a minute; reconciliation queries after 300 ms doubling to 2 s; provider calls that time out
    /// after 2 s, before the sandbox's stalled answer comes; notifications retried after 200 ms.
    static let fastSettings: [String: String] = [
        // payment-channel (docs/PAYMENTS.md)
        "PAYMENT_RECONCILE_FIRST_MS": "300",
        "PAYMENT_RECONCILE_MAX_MS": "2000",
        "PAYMENT_THROTTLE_WECHAT_ORDER_INTERVAL_MS": "50",
        "PAYMENT_THROTTLE_ALIPAY_ORDER_INTERVAL_MS": "50",
        "PAYMENT_RATE_LIMITED_RETRY_MS": "300",
        "PAYMENT_SUBMISSION_LEASE_MS": "8000",
        "PAYMENT_STUCK_GRACE_MS": "3600000",
        "WECHATPAY_TIMEOUT_MS": "2000",
        "ALIPAY_TIMEOUT_MS": "2000",
        "BANK_TIMEOUT_MS": "2000",
        // review and intake
        "REVIEW_RETRY_INTERVAL_MS": "200",
        "REVIEW_RISK_REFUND_COUNT": "1000",
        // notification
        "NOTIFY_RETRY_INITIAL_MS": "200",
        "NOTIFY_WORKER_INTERVAL_MS": "100",
        // provider-sandbox (docs/SANDBOX.md)
        "SANDBOX_WECHAT_ORDER_INTERVAL_MS": "50",
        "SANDBOX_ALIPAY_TRADE_INTERVAL_MS": "50",
        "SANDBOX_WALLET_SETTLE_MS": "150",
        "SANDBOX_BANK_WORKING_DAY_MS": "150",
        "SANDBOX_SETTLE_TICK_MS": "20",
        "SANDBOX_STALL_MS": "6000",
        "SANDBOX_NOTIFY_RETRY_INITIAL_MS": "200",
        "SANDBOX_NOTIFY_RETRY_MAX_MS": "2000",
        "SANDBOX_NOTIFY_TIMEOUT_MS": "3000",
        "SANDBOX_SMS_PHONE_INTERVAL_MS": "50",
    ]

    /// Starts the sandbox, then the four services. `extra` overrides ``fastSettings``.
    static func start(_ extra: [String: String] = [:]) async throws -> MoneyMesh {
        let keysDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("refundmesh-keys-\(UUID().uuidString)")
        let keys = try ProviderKeySet.generateDevelopment()
        try keys.write(to: keysDirectory.path)
        let sandboxPort = try Mesh.freePort()
        let notifyPort = try Mesh.freePort()
        var environment = keys.environment(
            directory: keysDirectory.path,
            baseURL: "http://127.0.0.1:\(sandboxPort)",
            notifyBaseURL: "http://127.0.0.1:\(notifyPort)"
        )
        environment["PAYMENT_CHANNEL_NOTIFY_HOST"] = "127.0.0.1"
        environment["PAYMENT_CHANNEL_NOTIFY_PORT"] = String(notifyPort)
        environment["SANDBOX_KEYS_DIR"] = keysDirectory.path
        environment["SANDBOX_BANK_NOTIFY_URL"] = environment["BANK_NOTIFY_URL"]
        environment["NOTIFY_SMS_BASE_URL"] = "http://127.0.0.1:\(sandboxPort)"
        environment["NOTIFY_SMS_ACCOUNT"] = keys.smsAccount
        environment["NOTIFY_SMS_SECRET_FILE"] = environment["SMS_SECRET_FILE"]
        for (key, value) in fastSettings { environment[key] = value }
        for (key, value) in extra { environment[key] = value }
        let mesh = try Mesh(extraEnvironment: environment)
        let sandbox = try ServiceProcess(
            "provider-sandbox",
            dataDirectory: mesh.root.appendingPathComponent("provider-sandbox")
        )
        try await sandbox.start(port: sandboxPort, environment: mesh.environment)
        try await mesh.start()
        return MoneyMesh(
            mesh: mesh,
            sandbox: sandbox,
            sandboxPort: sandboxPort,
            notifyPort: notifyPort,
            keys: keys,
            keysDirectory: keysDirectory
        )
    }

    private init(
        mesh: Mesh,
        sandbox: ServiceProcess,
        sandboxPort: Int,
        notifyPort: Int,
        keys: ProviderKeySet,
        keysDirectory: URL
    ) {
        self.mesh = mesh
        self.sandbox = sandbox
        self.sandboxPort = sandboxPort
        self.notifyPort = notifyPort
        self.keys = keys
        self.keysDirectory = keysDirectory
        self.control = SandboxControlClient(baseURL: "http://127.0.0.1:\(sandboxPort)")
        let clients = ["intake", "review", "payment-channel", "notification"].map { mesh.client($0) }
        rpcClients = clients
        intake = Intake.Client(clients[0])
        review = Review.Client(clients[1])
        payments = PaymentChannel.Client(clients[2])
        notification = RefundMeshAPI.Notification.Client(clients[3])
    }

    /// SIGTERM to the services and the sandbox; expects every one to exit cleanly.
    func stop() async throws {
        for client in rpcClients { await client.close() }
        var statuses = try await mesh.stop()
        statuses["provider-sandbox"] = try await sandbox.stop()
        #expect(statuses.values.allSatisfy { $0 == 0 }, "every process exits cleanly on SIGTERM: \(statuses)")
    }

    deinit { try? FileManager.default.removeItem(at: keysDirectory) }

    /// The service logs, for a failure message.
    func logs(_ name: String) -> String {
        let file = name == "provider-sandbox" ? sandbox.logFile : mesh.processes[name]!.logFile
        return ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").suffix(40)
            .joined(separator: "\n")
    }

    // MARK: - The platform's facts

    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The provider's trade number of a payment, as the adapters send it: WeChat's
    /// `transaction_id` and the bank's `card_payment_id` are our payment id, Alipay's
    /// `out_trade_no` our order id.
    static func tradeNo(order: String, method: PaymentMethod) -> String {
        method == .alipay ? order : "pay-\(order)"
    }

    static func provider(_ method: PaymentMethod) -> String? {
        switch method {
        case .wechatPay: "wechat"
        case .alipay: "alipay"
        case .bankCard: "bank"
        default: nil
        }
    }

    /// Records a card-key order of user `u-<order>` and its captured payment `pay-<order>`, and
    /// registers the trade's total with the sandbox (Alipay and bank requests do not carry it).
    func sell(_ order: String, method: PaymentMethod, price: Int64 = 1_000, kind: ProductKind = .cardKey) async throws {
        let paidAt = Self.nowMs - 3_600_000
        _ = try await intake.recordOrder(
            RecordOrderRequest(
                order: Order(
                    orderID: order,
                    userID: "u-\(order)",
                    productKind: kind,
                    sku: "sku-\(order)",
                    productName: "product \(order)",
                    priceFen: price,
                    paidAtMs: paidAt,
                    cardKeyID: kind == .cardKey ? "ck-\(order)" : "",
                    rechargeAccount: kind == .directRecharge ? "game-\(order)" : ""
                )
            )
        )
        _ = try await payments.recordPayment(
            CapturedPayment(
                paymentID: "pay-\(order)",
                orderID: order,
                userID: "u-\(order)",
                method: method,
                amountFen: price,
                capturedAtMs: paidAt
            )
        )
        if method == .alipay || method == .bankCard, let provider = Self.provider(method) {
            try await control.registerTrade(
                provider: provider,
                tradeNo: Self.tradeNo(order: order, method: method),
                totalFen: price,
                paidAtMs: paidAt
            )
        }
        await ledger.captured("pay-\(order)", amountFen: price)
    }

    /// Submits the refund of `order` through intake (unused card key: review approves it, R-R1).
    func submit(
        _ order: String,
        destination: Destination = .original,
        ground: RefundGround = .notUsed
    ) async throws
        -> RefundView
    {
        let view = try await intake.submitRefund(
            SubmitRefundRequest(
                idempotencyKey: "key-\(order)",
                userID: "u-\(order)",
                orderID: order,
                source: .orderPage,
                ground: ground,
                reasonStatement: "The card key was never redeemed: the unopened card and the order are attached.",
                attachments: [
                    Attachment(
                        kind: .orderProof,
                        fileName: "o.png",
                        contentType: "image/png",
                        content: Array(order.utf8)
                    ),
                    Attachment(kind: .paymentProof, fileName: "p.png", contentType: "image/png", content: [2]),
                    Attachment(kind: .nonUseProof, fileName: "n.png", contentType: "image/png", content: [3]),
                ],
                destination: destination,
                locale: "en"
            )
        )
        await ledger.drove(view.refundID, user: view.userID, payment: "pay-\(order)", viaIntake: true)
        return view
    }

    // MARK: - Waiting

    /// Polls `body` until it answers non-nil (60 s at most); the last answer otherwise.
    func until<T>(
        _ what: String,
        seconds: Int = 60,
        _ body: () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            if let value = try await body() { return value }
            guard ContinuousClock.now < deadline else {
                throw ServiceProcessError(
                    "timed out waiting for \(what)\n--- payment-channel:\n\(logs("payment-channel"))\n--- sandbox:\n"
                        + logs("provider-sandbox")
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// payment-channel's record of `refundID` once `condition` holds.
    func payment(
        _ refundID: String,
        _ what: String,
        until condition: @escaping (RefundPayment) -> Bool
    )
        async throws -> RefundPayment
    {
        try await until("refund \(refundID) to be \(what)") {
            do {
                let payment = try await payments.getRefundPayment(GetRefundPaymentRequest(refundID: refundID))
                return condition(payment) ? payment : nil
            } catch let error as RPCError where error.code == .notFound {
                return nil
            }
        }
    }

    /// intake's view of `refundID` once `condition` holds.
    func view(
        _ view: RefundView,
        _ what: String,
        until condition: @escaping (RefundView) -> Bool
    ) async throws
        -> RefundView
    {
        try await until("intake's refund \(view.refundID) to be \(what)") {
            let current = try await intake.getRefund(GetRefundRequest(userID: view.userID, refundID: view.refundID))
            return condition(current) ? current : nil
        }
    }

    /// The sandbox's record of a refund number once `condition` holds.
    func providerRefund(
        _ refundNo: String,
        _ what: String,
        until condition: @escaping (ProviderRefund) -> Bool
    )
        async throws -> ProviderRefund
    {
        try await until("the sandbox's \(refundNo) to be \(what)") {
            try await control.refunds().first { $0.refundNo == refundNo && condition($0) }
        }
    }

    /// The user's inbox items of `kind` once there are at least `count`.
    func inbox(_ user: String, kind: RefundEvent.Kind, atLeast count: Int) async throws -> [InboxItem] {
        try await until("\(count) \(kind) item(s) in \(user)'s inbox") {
            let items = try await notification.listInbox(ListInboxRequest(userID: user, limit: 500)).items
                .filter { $0.kind == kind }
            return items.count >= count ? items : nil
        }
    }
}

/// The refunds a test drove and the payments it captured, for ``MoneyMesh/checkInvariants()``.
actor RefundsDriven {
    struct Refund: Sendable {
        var refundID: String
        var userID: String
        var paymentID: String
        var viaIntake: Bool
    }

    private(set) var refunds: [Refund] = []
    private(set) var captured: [String: Int64] = [:]

    func captured(_ paymentID: String, amountFen: Int64) { captured[paymentID] = amountFen }

    /// Drops a refund the test expects never to be paid (rejected by review).
    func forget(_ refundID: String) { refunds.removeAll { $0.refundID == refundID } }

    func drove(_ refundID: String, user: String, payment: String, viaIntake: Bool) {
        refunds.append(Refund(refundID: refundID, userID: user, paymentID: payment, viaIntake: viaIntake))
    }
}
