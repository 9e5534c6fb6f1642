import Foundation
import ProviderSandbox
import RefundMeshAPI
import RefundMeshRPC
import Testing

/// Many refunds of one payment at once, over real TCP to payment-channel and real HTTP to the
/// sandbox (R-C5, R-C7).
///
/// These drive payment-channel's ExecuteRefund directly: intake and review hold one open refund
/// per order, so submissions through intake would never race for one payment's money. The refund
/// ids are not intake's, so payment-channel's updates to intake for them are refused (NOT_FOUND)
/// and wait in its outbox; nothing here reads intake.
extension MoneyMovementMeshTests {
    /// Calls ExecuteRefund for every request at once, each on its own connection.
    static func executeConcurrently(
        _ world: MoneyMesh,
        _ requests: [ExecuteRefundRequest]
    ) async
        -> [String: Result<RefundPayment, RPCError>]
    {
        await withTaskGroup(of: (String, Result<RefundPayment, RPCError>).self) { group in
            for request in requests {
                group.addTask {
                    let rpc = world.mesh.client("payment-channel")
                    do {
                        let payment = try await PaymentChannel.Client(rpc).executeRefund(
                            request,
                            options: CallOptions(timeout: .seconds(120))
                        )
                        await rpc.close()
                        return (request.refundID, .success(payment))
                    } catch let error as RPCError {
                        await rpc.close()
                        return (request.refundID, .failure(error))
                    } catch {
                        await rpc.close()
                        return (request.refundID, .failure(RPCError(code: .unknown, message: "\(error)")))
                    }
                }
            }
            var results: [String: Result<RefundPayment, RPCError>] = [:]
            for await (id, result) in group { results[id] = result }
            return results
        }
    }

    @Test(
        "R-C5: 50 concurrent partial refunds of one payment that would exceed it: exactly the allowed ones are paid, once"
    )
    func concurrentPartialRefunds() async throws {
        let world = try await MoneyMesh.start()
        // 50 × 300 fen against 10,000 captured: 33 fit (9,900 fen), 17 must be refused.
        let captured: Int64 = 10_000
        let amount: Int64 = 300
        try await world.sell("conc-1", method: .alipay, price: captured)
        let requests = (0..<50).map { index in
            ExecuteRefundRequest(
                refundID: "conc-1-r\(index)",
                orderID: "conc-1",
                userID: "u-conc-1",
                amountFen: amount,
                destination: .original,
                paymentID: "pay-conc-1"
            )
        }
        for request in requests {
            await world.ledger.drove(request.refundID, user: "u-conc-1", payment: "pay-conc-1", viaIntake: false)
        }
        let results = await Self.executeConcurrently(world, requests)
        let accepted = results.filter { if case .success = $0.value { true } else { false } }
        let refused = results.compactMapValues { result -> RPCError? in
            if case .failure(let error) = result { error } else { nil }
        }
        let allowed = Int(captured / amount)
        #expect(accepted.count == allowed, "accepted \(accepted.count), refused \(refused.count)")
        #expect(refused.count == 50 - allowed)
        for (id, error) in refused {
            #expect(error.code == .failedPrecondition, "\(id): \(error)")
            #expect(error.message.contains("R-C5") && error.message.contains("fen remain"), "\(id): \(error.message)")
            await world.ledger.forget(id)
        }
        // Every accepted one is paid at Alipay once; their sum is within the captured amount.
        var paidSum: Int64 = 0
        var netSum: Int64 = 0
        for id in accepted.keys {
            let paid = try await world.payment(id, "ARRIVED") { $0.state == .arrived }
            paidSum += paid.amountFen
            netSum += paid.netAmountFen
        }
        #expect(paidSum == Int64(allowed) * amount && paidSum <= captured)
        let found = try await world.checkInvariants()
        let atAlipay = found.providerRefunds.values.filter { $0.tradeNo == "conc-1" }
        #expect(atAlipay.count == allowed, "one Alipay refund per accepted refund id")
        #expect(atAlipay.allSatisfy { $0.moneyMoved == 1 })
        // Alipay pays back the net amounts (the R-C2 fee stays with the shop).
        #expect(atAlipay.map(\.amountFen).reduce(0, +) == netSum)
        let trade = try await world.control.trades(provider: "alipay").first { $0.tradeNo == "conc-1" }
        #expect(trade?.refundedFen == netSum && trade?.totalFen == captured, "\(String(describing: trade))")
        // A retry of a refused id is refused again; a retry of an accepted one answers the same refund.
        let retried = await Self.executeConcurrently(world, [requests[0], requests[1], requests[2]])
        for (id, result) in retried {
            switch (result, accepted[id]) {
            case (.success(let again), .some(.success(let first))):
                #expect(again.providerRefundNo == first.providerRefundNo)
            case (.failure(let error), nil):
                #expect(error.message.contains("R-C5"))
            default:
                Issue.record("\(id): retry answered \(result), first \(String(describing: accepted[id]))")
            }
        }
        #expect(try await world.control.stats().moneyMovedCount == allowed)
        try await world.stop()
    }

    @Test("R-C7: a provider's per-order limit queues partial refunds; all are paid, none fails for waiting")
    func rateLimitsQueue() async throws {
        // The sandbox enforces WeChat's one refund per order per interval more strictly than
        // payment-channel's own throttle expects, so payment-channel meets 429 FREQUENCY_LIMITED.
        let world = try await MoneyMesh.start(["SANDBOX_WECHAT_ORDER_INTERVAL_MS": "700"])
        try await world.sell("rate-1", method: .wechatPay, price: 4_000)
        let requests = (0..<5).map { index in
            ExecuteRefundRequest(
                refundID: "rate-1-r\(index)",
                orderID: "rate-1",
                userID: "u-rate-1",
                amountFen: 500,
                destination: .original,
                paymentID: "pay-rate-1"
            )
        }
        for request in requests {
            await world.ledger.drove(request.refundID, user: "u-rate-1", payment: "pay-rate-1", viaIntake: false)
        }
        let results = await Self.executeConcurrently(world, requests)
        for (id, result) in results {
            if case .failure(let error) = result { Issue.record("\(id) was refused: \(error)") }
        }
        for request in requests {
            let paid = try await world.payment(request.refundID, "ARRIVED") {
                $0.state != .pending && $0.state != .sent
            }
            #expect(paid.state == .arrived, "\(request.refundID): \(paid.state) \(paid.failureReason)")
        }
        let stats = try await world.control.stats()
        #expect((stats.counters["rate_limited"] ?? 0) >= 1, "the limit was really met: \(stats.counters)")
        let found = try await world.checkInvariants()
        let refunds = found.providerRefunds.values.filter { $0.tradeNo == "pay-rate-1" }.sorted {
            $0.createdAtMs < $1.createdAtMs
        }
        #expect(refunds.count == 5)
        // The sandbox accepted them at least its interval apart.
        for (earlier, later) in zip(refunds, refunds.dropFirst()) {
            #expect(later.createdAtMs - earlier.createdAtMs >= 650, "\(earlier.refundNo) → \(later.refundNo)")
        }
        try await world.stop()
    }
}

extension MoneyMovementMeshTests {
    @Test("refund-bench --soak: a small soak with many faults settles every refund and reports the invariants held")
    func smallSoak() async throws {
        let world = try await MoneyMesh.start()
        let endStates = world.mesh.root.appendingPathComponent("end-states.jsonl").path
        let at = Mesh.names.flatMap { ["--\($0)", "127.0.0.1:\(world.mesh.ports[$0]!)"] }
        let result = try await runProcess(
            ServiceProcess.productsDirectory.appendingPathComponent("refund-bench").path,
            [
                "--soak", "--refunds", "40", "--concurrency", "8", "--fault-rate", "0.35", "--seed", "7",
                "--settle-timeout", "120", "--end-states", endStates,
                "--sandbox", "http://127.0.0.1:\(world.sandboxPort)",
            ] + at
        )
        #expect(result.status == 0, "\(result.output)")
        for line in [
            "paid twice: 0", "lost (not final nor waiting for a person): 0", "over-captured: 0",
            "trial balance: 0 fen (balanced)", "duplicate inbox events: 0", "result: OK",
        ] {
            #expect(result.output.contains(line), "\(line) missing from:\n\(result.output)")
        }
        // The end state of every refund, one JSON line each, agreeing with payment-channel.
        let lines = try String(contentsOfFile: endStates, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
        for line in lines.prefix(5) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let refundID = try #require(object["refund_id"] as? String)
            let payment = try await world.payments.getRefundPayment(GetRefundPaymentRequest(refundID: refundID))
            #expect(object["payment_state"] as? String == "\(payment.state)")
        }
        // The faults really happened.
        let stats = try await world.control.stats()
        #expect(stats.counters.values.reduce(0, +) > 0 && stats.refunds >= 30, "\(stats)")
        try await world.stop()
    }
}
