import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PaymentChannelNotifications
import PaymentChannelService
import ProviderSandbox
import RefundMeshAPI
import RefundMeshDomain
import RefundMeshProviders
import RefundMeshStore
import ServiceLifecycle
import Testing

/// payment-channel's notification endpoint on a real port, in front of a real PaymentStore.
struct NotifyEndpoint: Sendable {
    let payments: PaymentStore
    let store: Store
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the endpoint (port 0) with clients verifying `keys`' signatures, runs `body`, stops.
    static func with<T: Sendable>(_ body: @Sendable (NotifyEndpoint) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("payment-channel-notify-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = try generatedKeys.get()
        try keys.write(to: directory + "/keys")
        // Only verification matters to the receiver's clients; the base URL is never called.
        let environment = keys.environment(
            directory: directory + "/keys",
            baseURL: "http://127.0.0.1:9",
            notifyBaseURL: "http://127.0.0.1:9"
        )
        let store = try Store(
            configuration: Store.Configuration(path: directory + "/payment-channel.sqlite"),
            migrations: PaymentStore.migrations,
            logger: testLogger
        )
        var settings = PaymentChannelConfiguration()
        settings.orderIntervalMs = [.wechatPay: 0, .alipay: 0, .bankCard: 0]
        let payments = PaymentStore(store: store.database, policy: .default, settings: settings)
        let receiver = ProviderNotificationReceiver(
            payments: payments,
            wechat: WeChatPayClient(
                configuration: try WeChatPayConfiguration(environment: environment),
                httpClient: .shared,
                logger: testLogger
            ),
            alipay: AlipayClient(
                configuration: try AlipayConfiguration(environment: environment),
                httpClient: .shared,
                logger: testLogger
            ),
            bank: BankCardClient(
                configuration: try BankCardConfiguration(environment: environment),
                httpClient: .shared,
                logger: testLogger
            ),
            logger: testLogger
        )
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let server = ProviderNotificationServer(
            configuration: .init(host: "127.0.0.1", port: 0),
            receiver: receiver,
            logger: testLogger,
            onListening: { sink.yield($0) }
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: server)], logger: testLogger)
        )
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return .failure(TestFailure("the endpoint did not start")) }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(NotifyEndpoint(payments: payments, store: store, port: port)))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
            return result
        }
        try store.close()
        return try result.get()
    }

    /// Records a captured payment and begins refund `refundID` (PENDING committed, R-C6) of 30.00.
    func pendingRefund(_ refundID: String, method: PaymentMethod, payment: String) async throws -> RefundPaymentRecord {
        _ = try await payments.record(
            CapturedPayment(
                paymentID: payment,
                orderID: "order-\(payment)",
                userID: "user-1",
                method: method,
                amountFen: 10_000,
                capturedAtMs: UnixTimeNow.ms() - 86_400_000,
                merchantID: "m-1"
            )
        )
        return try await payments.begin(
            ExecuteRefundRequest(refundID: refundID, orderID: "order-\(payment)", userID: "user-1", amountFen: 3_000),
            at: UnixTimeNow.ms()
        ).refund
    }

    /// POSTs `body` with `headers` to `/notify/<provider>`; returns status and body text.
    func post(_ provider: String, headers: ProviderHeaders, body: Data) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: baseURL + "/notify/" + provider)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    func movements(_ refundID: String) async throws -> [String] {
        try await payments.ledgerEntries(refundID: refundID).map(\.movement)
    }
}

/// A body with one character changed after it was signed.
func tampered(_ body: Data, replacing old: String, with new: String) -> Data {
    Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: old, with: new).utf8)
}

@Suite("Provider notification endpoint (R-C9)")
struct NotificationEndpointTests {
    @Test(
        "WeChat Pay: tampered notice 401 and store untouched; valid notice before SENT applied once, twice answered 204"
    )
    func wechat() async throws {
        try await NotifyEndpoint.with { endpoint in
            let refund = try await endpoint.pendingRefund("r-wx", method: .wechatPay, payment: "wx-n1")
            let server = WeChatPayServer(keySet: try generatedKeys.get())
            let notice = WeChatPayRefundNotice(
                merchantID: ProviderKeySet.DevelopmentIdentity.weChatPayMerchantID,
                transactionID: "wx-n1",
                outTradeNo: nil,
                refundID: "wx-refund-1",
                outRefundNo: refund.providerRefundNo,
                refundStatus: .success,
                successTime: WeChatPayServer.timeString(Date()),
                userReceivedAccount: "支付用户零钱",
                amount: .init(total: 10_000, refund: 3_000, payerTotal: 10_000, payerRefund: 3_000)
            )
            let (headers, body) = try server.notification(eventType: "REFUND.SUCCESS", notice: notice, id: "evt-1")
            // Tampered: the signature no longer matches; WeChat is told to send again; nothing recorded.
            let forged = try await endpoint.post(
                "wechatpay",
                headers: headers,
                body: tampered(body, replacing: "evt-1", with: "evt-2")
            )
            #expect(forged.status == 401 && forged.body.contains("SIGN_ERROR"))
            #expect(try await endpoint.payments.refund(id: "r-wx")?.state == .pending)
            #expect(try await endpoint.movements("r-wx") == ["begin"])
            // Valid, before our own SENT commit (R-C9), then again: applied once, both acknowledged.
            for _ in 0..<2 {
                let answer = try await endpoint.post("wechatpay", headers: headers, body: body)
                #expect(answer.status == 204)
            }
            #expect(try await endpoint.payments.refund(id: "r-wx")?.state == .arrived)
            #expect(try await endpoint.movements("r-wx") == ["begin", "sent", "arrived"])
            // A notice for a refund number we do not have: not acknowledged, so WeChat retries it.
            var unknown = notice
            unknown.outRefundNo = "RM-unknown"
            let (unknownHeaders, unknownBody) = try server.notification(eventType: "REFUND.SUCCESS", notice: unknown)
            let answer = try await endpoint.post("wechatpay", headers: unknownHeaders, body: unknownBody)
            #expect((400..<600).contains(answer.status))
        }
    }

    @Test("Alipay: tampered notice answered fail and store untouched; valid notice answered success, once")
    func alipay() async throws {
        try await NotifyEndpoint.with { endpoint in
            let refund = try await endpoint.pendingRefund("r-ali", method: .alipay, payment: "ali-n1")
            let server = AlipayServer(keySet: try generatedKeys.get())
            let body = try server.notification(parameters: [
                "notify_id": "ali-notify-1", "out_trade_no": "order-ali-n1", "trade_no": "ali-n1",
                "out_biz_no": refund.providerRefundNo, "trade_status": "TRADE_SUCCESS", "refund_fee": "30.00",
                "gmt_refund": AlipayServer.timeString(Date()),
            ])
            let form = [("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")]
            let forged = try await endpoint.post(
                "alipay",
                headers: form,
                body: tampered(body, replacing: "30.00", with: "99.00")
            )
            #expect(forged.body == "fail")
            #expect(try await endpoint.movements("r-ali") == ["begin"])
            for _ in 0..<2 {
                #expect(try await endpoint.post("alipay", headers: form, body: body).body == "success")
            }
            #expect(try await endpoint.payments.refund(id: "r-ali")?.state == .arrived)
            #expect(try await endpoint.movements("r-ali") == ["begin", "sent", "arrived"])
        }
    }

    @Test("Bank: tampered notice 401 and store untouched; RETURNED after SETTLED reverses once (R-C8)")
    func bank() async throws {
        try await NotifyEndpoint.with { endpoint in
            let refund = try await endpoint.pendingRefund("r-bank", method: .bankCard, payment: "card-n1")
            let server = BankCardServer(keySet: try generatedKeys.get())
            let now = UnixTimeNow.ms()
            func notice(_ state: BankRefundState, id: String) throws -> (headers: ProviderHeaders, body: Data) {
                try server.notification(
                    BankRefundNotification(
                        notificationID: id,
                        merchantID: ProviderKeySet.DevelopmentIdentity.bankMerchantID,
                        occurredAtMs: now,
                        refund: BankRefund(
                            refundNo: refund.providerRefundNo,
                            bankRefundID: "bank-1",
                            cardPaymentID: "card-n1",
                            state: state,
                            amountFen: 3_000,
                            acceptedAtMs: now - 1_000,
                            settledAtMs: now,
                            returnedAtMs: state == .returned ? now : nil,
                            returnReason: state == .returned ? "card closed" : nil
                        )
                    )
                )
            }
            let settled = try notice(.settled, id: "n-1")
            let forged = try await endpoint.post(
                "bank",
                headers: settled.headers,
                body: tampered(settled.body, replacing: "3000", with: "9000")
            )
            #expect(forged.status == 401)
            #expect(try await endpoint.movements("r-bank") == ["begin"])
            let returned = try notice(.returned, id: "n-2")
            // Out of order (R-C9): the RETURNED notice first, then SETTLED twice.
            #expect(try await endpoint.post("bank", headers: returned.headers, body: returned.body).status == 200)
            for _ in 0..<2 {
                #expect(try await endpoint.post("bank", headers: settled.headers, body: settled.body).status == 200)
            }
            #expect(try await endpoint.payments.refund(id: "r-bank")?.state == .reversed)
            let movements = try await endpoint.movements("r-bank")
            #expect(
                movements.filter { $0 == "arrived" }.count == 1 && movements.filter { $0 == "reversed" }.count == 1,
                "\(movements)"
            )
        }
    }

    @Test(
        "R-C9 end to end: a WeChat refund paid through provider-sandbox, notified before the answer, twice and out of order"
    )
    func endToEnd() async throws {
        try await NotifyEndpoint.with { endpoint in
            try await SandboxProviders.with(notifyBase: endpoint.baseURL) { providers in
                let refund = try await endpoint.pendingRefund("r-e2e", method: .wechatPay, payment: "wx-e2e")
                try providers.rule(
                    "wechat",
                    refundNo: refund.providerRefundNo,
                    Behaviour(duplicateNotifications: 2, outOfOrder: true, notifyBeforeAnswer: true)
                )
                let payer = RefundPayer(
                    payments: endpoint.payments,
                    adapters: ChannelAdapters([.wechatPay: try providers.wechat()]),
                    logger: testLogger
                )
                _ = try await payer.submit(refund)
                // Every notice (the first, two duplicates, the stale PROCESSING) delivered and acknowledged.
                try await eventually("the sandbox's notifications delivered") { () -> Bool? in
                    let record = try await providers.record(.wechat, refund.providerRefundNo)
                    let pending = try await providers.sandbox.store.pendingNotifications()
                    return (record?.notificationsSent ?? 0) >= 3 && pending.isEmpty ? true : nil
                }
                #expect(try await endpoint.payments.refund(id: "r-e2e")?.state == .arrived)
                #expect(try await endpoint.movements("r-e2e") == ["begin", "sent", "arrived"])
                #expect(try #require(try await providers.record(.wechat, refund.providerRefundNo)).moneyMoved == 1)
            }
        }
    }
}
