import Foundation
import RefundMeshAPI
import RefundMeshRPC
import Testing

/// The real `payment-channel` executable with every channel real, talking HTTP to the real
/// `provider-sandbox` executable: the settings a mesh uses (the sandbox's key files and
/// `providers.env`, base and notify URLs), refunds of all three channels confirmed by the
/// providers' notifications through payment-channel's endpoint (R-C1, R-C6, R-C9), and a clean
/// SIGTERM of both (the shared HTTPClient shut down).
@Suite("payment-channel against provider-sandbox (real processes)")
struct PaymentChannelProviderSandboxTests {
    @Test("WeChat Pay, Alipay and bank card refunds arrive by the providers' notifications; both exit cleanly")
    func realChannels() async throws {
        try await PaymentChannelServiceTests().withPeers { peers, peerPort in
            let notifyPort = try Mesh.freePort()
            let notifyBase = "http://127.0.0.1:\(notifyPort)"
            let sandbox = try ServiceProcess("provider-sandbox")
            try await sandbox.start(environment: [
                "SANDBOX_BANK_NOTIFY_URL": notifyBase + "/notify/bank",
                "SANDBOX_WALLET_SETTLE_MS": "100", "SANDBOX_BANK_WORKING_DAY_MS": "30",
                "SANDBOX_WECHAT_ORDER_INTERVAL_MS": "0", "SANDBOX_ALIPAY_TRADE_INTERVAL_MS": "0",
                "SANDBOX_NOTIFY_RETRY_INITIAL_MS": "50", "SANDBOX_NOTIFY_RETRY_MAX_MS": "500",
            ])
            // `provider-sandbox serve` wrote the development key set and providers.env into its data folder.
            var environment = try Self.providersEnvironment(sandbox.dataDirectory.appendingPathComponent("keys"))
            let providers = "http://127.0.0.1:\(sandbox.port)"
            environment.merge(
                [
                    "WECHATPAY_BASE_URL": providers, "ALIPAY_GATEWAY_URL": providers + "/gateway.do",
                    "BANK_BASE_URL": providers,
                    "WECHATPAY_NOTIFY_URL": notifyBase + "/notify/wechatpay",
                    "ALIPAY_NOTIFY_URL": notifyBase + "/notify/alipay",
                    "PAYMENT_CHANNEL_NOTIFY_PORT": "\(notifyPort)",
                    "INTAKE_ADDR": "127.0.0.1:\(peerPort)", "NOTIFICATION_ADDR": "127.0.0.1:\(peerPort)",
                    // No query within the test: arrival can only come from the notifications (R-C9).
                    "PAYMENT_RECONCILE_FIRST_MS": "3600000", "PAYMENT_RECONCILE_MAX_MS": "3600000",
                    "PAYMENT_THROTTLE_WECHAT_ORDER_INTERVAL_MS": "0", "PAYMENT_THROTTLE_ALIPAY_ORDER_INTERVAL_MS": "0",
                    "PAYMENT_CHANNEL_LOG_LEVEL": "info",
                ],
                uniquingKeysWith: { $1 }
            )
            let service = try ServiceProcess("payment-channel")
            try await service.start(environment: environment)
            let log = try String(contentsOf: service.logFile, encoding: .utf8)
            #expect(log.contains("simulated in process none"), "every channel is real:\n\(log)")

            let client = service.client()
            let payments = PaymentChannel.Client(client)
            let cases: [(String, PaymentMethod)] = [("wx", .wechatPay), ("ali", .alipay), ("card", .bankCard)]
            for (name, method) in cases {
                _ = try await payments.recordPayment(
                    PaymentChannelServiceTests.payment("p-\(name)", order: "o-\(name)", method: method, fen: 10_000)
                )
                let refund = try await payments.executeRefund(
                    ExecuteRefundRequest(refundID: "r-\(name)", orderID: "o-\(name)", userID: "u-2", amountFen: 4_000)
                )
                #expect(refund.method == method)
            }
            try await peers.waitFor(["r-wx:money-arrived", "r-ali:money-arrived", "r-card:money-arrived"])
            for (name, _) in cases {
                let refund = try await payments.getRefundPayment(GetRefundPaymentRequest(refundID: "r-\(name)"))
                #expect(refund.state == .arrived, "r-\(name): \(refund.state)")
            }
            await client.close()
            #expect(try await service.stop() == 0, "SIGTERM ends payment-channel cleanly")
            #expect(try await sandbox.stop() == 0, "SIGTERM ends provider-sandbox cleanly")
            let after = try String(contentsOf: service.logFile, encoding: .utf8)
            #expect(after.contains("provider notification applied"), "notices came through /notify/…:\n\(after)")
        }
    }

    /// The `KEY=VALUE` lines of `providers.env` in a key set folder.
    static func providersEnvironment(_ directory: URL) throws -> [String: String] {
        let text = try String(contentsOf: directory.appendingPathComponent("providers.env"), encoding: .utf8)
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            environment[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return environment
    }
}
