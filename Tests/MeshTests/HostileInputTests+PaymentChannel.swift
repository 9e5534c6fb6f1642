import Foundation
import RefundMeshAPI
import RefundMeshRPC

extension HostileInputTests {
    /// Seeds two captured payments (u-1's and u-2's) and a 4,000 fen balance refund of u-1's
    /// (arrived at once, so nothing moves while the attack runs), then returns the attack on
    /// payment-channel.
    static func paymentChannelCases(_ payments: PaymentChannel.Client) async throws -> [HostileCase] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let first = CapturedPayment(
            paymentID: "p-h1",
            orderID: "o-h1",
            userID: "u-1",
            method: .wechatPay,
            amountFen: 10_000,
            capturedAtMs: now - 3_600_000,
            merchantID: "m-1"
        )
        _ = try await payments.recordPayment(first)
        var second = first
        second.paymentID = "p-h2"
        second.orderID = "o-h2"
        second.userID = "u-2"
        _ = try await payments.recordPayment(second)
        let refunded = ExecuteRefundRequest(
            refundID: "r-h1",
            orderID: "o-h1",
            userID: "u-1",
            amountFen: 4_000,
            destination: .balance
        )
        _ = try await payments.executeRefund(refunded)

        @Sendable func payment(_ change: (inout CapturedPayment) -> Void) -> CapturedPayment {
            var payment = first
            payment.paymentID = "p-hostile"
            change(&payment)
            return payment
        }
        @Sendable func execute(_ change: (inout ExecuteRefundRequest) -> Void) -> ExecuteRefundRequest {
            var request = refunded
            request.refundID = "r-hostile"
            change(&request)
            return request
        }

        return [
            // RecordPayment: amounts, enums, times, ids; the same id with other facts.
            HostileCase("negative payment", .invalidArgument, "amount_fen") {
                _ = try await payments.recordPayment(payment { $0.amountFen = -1 })
            },
            HostileCase("payment of Int64.max", .invalidArgument, "amount_fen") {
                _ = try await payments.recordPayment(payment { $0.amountFen = .max })
            },
            HostileCase("unknown method", .invalidArgument, "method") {
                _ = try await payments.recordPayment(payment { $0.method = PaymentMethod(rawValue: 99) })
            },
            HostileCase("captured tomorrow", .invalidArgument, "in the future") {
                _ = try await payments.recordPayment(payment { $0.capturedAtMs = now + 86_400_000 })
            },
            HostileCase("captured at no time", .invalidArgument, "captured_at_ms") {
                _ = try await payments.recordPayment(payment { $0.capturedAtMs = 0 })
            },
            HostileCase("payment id of 129 bytes", .invalidArgument, "payment_id") {
                _ = try await payments.recordPayment(payment { $0.paymentID = String(repeating: "p", count: 129) })
            },
            HostileCase("merchant id on two lines", .invalidArgument, "merchant_id") {
                _ = try await payments.recordPayment(payment { $0.merchantID = "m-1\nX-Injected: yes" })
            },
            HostileCase("a known payment id with another amount", .alreadyExists, "amount_fen") {
                var changed = first
                changed.amountFen = 1
                _ = try await payments.recordPayment(changed)
            },

            // Quote and ExecuteRefund: R-C5 without overflow, enums, forged and other users' ids.
            HostileCase("quote of Int64.max", .invalidArgument, "amount_fen") {
                _ = try await payments.quote(QuoteRequest(orderID: "o-h1", amountFen: .max))
            },
            HostileCase("quote above what remains", .failedPrecondition, "R-C5") {
                _ = try await payments.quote(QuoteRequest(orderID: "o-h1", amountFen: 6_001))
            },
            HostileCase("quote to an unknown destination", .invalidArgument, "destination") {
                _ = try await payments.quote(
                    QuoteRequest(orderID: "o-h1", amountFen: 1, destination: Destination(rawValue: 4))
                )
            },
            HostileCase("refund above what remains", .failedPrecondition, "R-C5") {
                _ = try await payments.executeRefund(execute { $0.amountFen = 6_001 })
            },
            HostileCase("refund of the largest amount after a partial one", .failedPrecondition, "R-C5") {
                _ = try await payments.executeRefund(execute { $0.amountFen = 10_000_000_000 })
            },
            HostileCase("refund of Int64.max", .invalidArgument, "amount_fen") {
                _ = try await payments.executeRefund(execute { $0.amountFen = .max })
            },
            HostileCase("negative refund", .invalidArgument, "amount_fen") {
                _ = try await payments.executeRefund(execute { $0.amountFen = -4_000 })
            },
            HostileCase("refund to an unknown destination", .invalidArgument, "destination") {
                _ = try await payments.executeRefund(execute { $0.destination = Destination(rawValue: 5) })
            },
            HostileCase("refund of a forged order", .notFound, "o-forged") {
                _ = try await payments.executeRefund(execute { $0.orderID = "o-forged" })
            },
            HostileCase("u-1 refunds u-2's payment", .failedPrecondition, "not made by user u-1", hides: "u-2") {
                _ = try await payments.executeRefund(execute { $0.orderID = "o-h2" })
            },
            HostileCase("refund of another order's payment", .notFound, "p-h2", hides: "o-h2") {
                _ = try await payments.executeRefund(execute { $0.paymentID = "p-h2" })
            },
            HostileCase("refund id replayed with another amount", .failedPrecondition, "amount_fen") {
                var replay = refunded
                replay.amountFen = 5_000
                _ = try await payments.executeRefund(replay)
            },
            HostileCase("refund id replayed for another user", .failedPrecondition, "user_id") {
                var replay = refunded
                replay.userID = "u-3"
                _ = try await payments.executeRefund(replay)
            },
            HostileCase("refund id replayed as a platform fault (no fee)", .failedPrecondition, "platform_fault") {
                var replay = refunded
                replay.platformFault = true
                _ = try await payments.executeRefund(replay)
            },

            // Reading and operating.
            HostileCase("refund id with a control character", .invalidArgument, "refund_id") {
                _ = try await payments.getRefundPayment(GetRefundPaymentRequest(refundID: "r-\u{2}"))
            },
            HostileCase("balance of no user", .invalidArgument, "user_id") {
                _ = try await payments.getBalance(GetBalanceRequest())
            },
            HostileCase("payments of an order id with quotes", .invalidArgument, "order_id") {
                _ = try await payments.listPayments(ListPaymentsRequest(orderID: "o\"; --"))
            },
            HostileCase("resolution with an unknown action", .invalidArgument, "action") {
                _ = try await payments.resolveRefund(
                    ResolveRefundRequest(
                        refundID: "r-h1",
                        action: ResolveRefundRequest.Action(rawValue: 9),
                        operatorID: "op-1"
                    )
                )
            },
            HostileCase("resolution note of 2001 characters", .invalidArgument, "note") {
                _ = try await payments.resolveRefund(
                    ResolveRefundRequest(
                        refundID: "r-h1",
                        action: .toBalance,
                        operatorID: "op-1",
                        note: String(repeating: "n", count: 2_001)
                    )
                )
            },
            HostileCase("resolution by nobody", .invalidArgument, "operator_id") {
                _ = try await payments.resolveRefund(ResolveRefundRequest(refundID: "r-h1", action: .toBalance))
            },
            HostileCase("reconciliation of the 45th of the 13th month", .invalidArgument, "date") {
                _ = try await payments.reconcileDay(ReconcileDayRequest(method: .wechatPay, date: "2026-13-45"))
            },
            HostileCase("alerts of a refund id with a newline", .invalidArgument, "refund_id") {
                _ = try await payments.listAlerts(ListAlertsRequest(refundID: "r-h1\n"))
            },
        ]
    }
}
