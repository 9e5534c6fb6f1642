import Foundation
import RefundMeshAPI
import RefundMeshRPC

extension HostileInputTests {
    /// Seeds alice's and bob's orders, a refund of alice's and one status update, then returns
    /// the attack on intake.
    static func intakeCases(_ intake: Intake.Client, peers: IntakeTestPeers) async throws -> [HostileCase] {
        let now = IntakeServiceTests.nowMs
        let alicesOrder = IntakeServiceTests.cardKeyOrder("o-alice", user: "alice")
        _ = try await intake.recordOrder(RecordOrderRequest(order: alicesOrder))
        _ = try await intake.recordOrder(
            RecordOrderRequest(order: IntakeServiceTests.cardKeyOrder("o-bob", user: "bob"))
        )
        peers.setPayments(
            [CapturedPayment(paymentID: "pay-alice", orderID: "o-alice", userID: "alice", amountFen: 10_000)],
            for: "o-alice"
        )
        peers.setPayments(
            [CapturedPayment(paymentID: "pay-bob", orderID: "o-bob", userID: "bob", amountFen: 10_000)],
            for: "o-bob"
        )
        let alices = try await intake.submitRefund(
            IntakeServiceTests.submission("k-alice", order: "o-alice", user: "alice")
        )
        let refund = alices.refundID
        let seeded = StatusUpdate(
            eventID: "e-seed",
            refundID: refund,
            state: .underReview,
            rule: "R-R4",
            reason: "queued",
            actor: "review",
            atMs: now
        )
        _ = try await intake.applyStatus(seeded)

        @Sendable func order(_ change: (inout Order) -> Void) -> RecordOrderRequest {
            var order = IntakeServiceTests.cardKeyOrder("o-hostile")
            change(&order)
            return RecordOrderRequest(order: order)
        }
        @Sendable func submission(_ change: (inout SubmitRefundRequest) -> Void) -> SubmitRefundRequest {
            var request = IntakeServiceTests.submission("k-hostile", order: "o-alice", user: "alice")
            change(&request)
            return request
        }
        @Sendable func attachment(_ name: String, _ type: String, _ content: [UInt8] = [1]) -> Attachment {
            Attachment(kind: .nonUseProof, fileName: name, contentType: type, content: content)
        }
        @Sendable func status(_ change: (inout StatusUpdate) -> Void) -> StatusUpdate {
            var update = StatusUpdate(eventID: "e-hostile", refundID: refund, state: .approved, atMs: now)
            change(&update)
            return update
        }

        return [
            // RecordOrder: amounts, times, enums, ids, labels; the same id with other facts.
            HostileCase("negative price", .invalidArgument, "price_fen") {
                _ = try await intake.recordOrder(order { $0.priceFen = -10_000 })
            },
            HostileCase("price Int64.max", .invalidArgument, "price_fen") {
                _ = try await intake.recordOrder(order { $0.priceFen = .max })
            },
            HostileCase("zero price", .invalidArgument, "price_fen") {
                _ = try await intake.recordOrder(order { $0.priceFen = 0 })
            },
            HostileCase("paid tomorrow", .invalidArgument, "in the future") {
                _ = try await intake.recordOrder(order { $0.paidAtMs = now + 86_400_000 })
            },
            HostileCase("paid_at in seconds", .invalidArgument, "2000-01-01") {
                _ = try await intake.recordOrder(order { $0.paidAtMs = now / 1000 })
            },
            HostileCase("valid until the end of Int64", .invalidArgument, "valid_until_ms") {
                _ = try await intake.recordOrder(order { $0.validUntilMs = .max })
            },
            HostileCase("unknown product kind", .invalidArgument, "product_kind") {
                _ = try await intake.recordOrder(order { $0.productKind = ProductKind(rawValue: 99) })
            },
            HostileCase("order id with a control character", .invalidArgument, "order_id") {
                _ = try await intake.recordOrder(order { $0.orderID = "o-\u{1}" })
            },
            HostileCase("order id of 129 bytes", .invalidArgument, "order_id") {
                _ = try await intake.recordOrder(order { $0.orderID = String(repeating: "o", count: 129) })
            },
            HostileCase("order id with SQL in it", .invalidArgument, "order_id") {
                _ = try await intake.recordOrder(order { $0.orderID = "o' OR '1'='1" })
            },
            HostileCase("huge SKU", .invalidArgument, "sku") {
                _ = try await intake.recordOrder(order { $0.sku = String(repeating: "s", count: 100_000) })
            },
            HostileCase("no order at all", .invalidArgument, "order") {
                _ = try await intake.recordOrder(RecordOrderRequest())
            },
            HostileCase("a known order id with another price", .alreadyExists, "price_fen", hides: "10000") {
                var changed = alicesOrder
                changed.priceFen = 1
                _ = try await intake.recordOrder(RecordOrderRequest(order: changed))
            },
            HostileCase("a known order id for another user", .alreadyExists, "user_id") {
                var changed = alicesOrder
                changed.userID = "mallory"
                _ = try await intake.recordOrder(RecordOrderRequest(order: changed))
            },

            // SubmitRefund: enums, forged and other users' ids, texts, attachments, reused keys.
            HostileCase("unknown ground", .invalidArgument, "ground") {
                _ = try await intake.submitRefund(submission { $0.ground = RefundGround(rawValue: 99) })
            },
            HostileCase("unknown source", .invalidArgument, "source") {
                _ = try await intake.submitRefund(submission { $0.source = RequestSource(rawValue: 42) })
            },
            HostileCase("unknown destination", .invalidArgument, "destination") {
                _ = try await intake.submitRefund(submission { $0.destination = Destination(rawValue: 7) })
            },
            HostileCase("forged order id", .notFound, "o-forged") {
                _ = try await intake.submitRefund(submission { $0.orderID = "o-forged" })
            },
            HostileCase("bob asks a refund of alice's order", .notFound, "o-alice") {
                _ = try await intake.submitRefund(submission { $0.userID = "bob" })
            },
            HostileCase("reason statement of 2001 characters", .invalidArgument, "reason_statement") {
                _ = try await intake.submitRefund(
                    submission { $0.reasonStatement = String(repeating: "没", count: 2_001) }
                )
            },
            HostileCase("reason statement with terminal escapes", .invalidArgument, "reason_statement") {
                _ = try await intake.submitRefund(submission { $0.reasonStatement = "never used \u{1B}[2J\u{1B}[31m" })
            },
            HostileCase("attachment named ../../etc/passwd", .invalidArgument, "file_name") {
                _ = try await intake.submitRefund(
                    submission { $0.attachments[2] = attachment("../../etc/passwd", "text/plain") }
                )
            },
            HostileCase("attachment name with a direction override", .invalidArgument, "file_name") {
                _ = try await intake.submitRefund(
                    submission { $0.attachments[2] = attachment("proof\u{202E}gnp.exe", "image/png") }
                )
            },
            HostileCase("attachment declared as HTML", .invalidArgument, "content_type") {
                _ = try await intake.submitRefund(
                    submission { $0.attachments[2] = attachment("proof.html", "text/html") }
                )
            },
            HostileCase("an .exe declared as a PNG", .invalidArgument, "content_type") {
                _ = try await intake.submitRefund(
                    submission { $0.attachments[2] = attachment("proof.exe", "image/png") }
                )
            },
            HostileCase("empty attachment", .invalidArgument, "content") {
                _ = try await intake.submitRefund(
                    submission { $0.attachments[2] = attachment("proof.png", "image/png", []) }
                )
            },
            HostileCase("attachment of unknown kind", .invalidArgument, "kind") {
                _ = try await intake.submitRefund(submission { $0.attachments[2].kind = MaterialKind(rawValue: 42) })
            },
            HostileCase("attachment over 2 MiB", .invalidArgument, "R-A5") {
                let huge = [UInt8](repeating: 0x41, count: 2 * 1024 * 1024 + 1)
                _ = try await intake.submitRefund(
                    submission { $0.attachments[2] = attachment("proof.png", "image/png", huge) }
                )
            },
            HostileCase("nine attachments", .invalidArgument, "R-A5") {
                _ = try await intake.submitRefund(
                    submission {
                        $0.attachments += (0..<6).map { attachment("extra-\($0).png", "image/png", [UInt8($0)]) }
                    }
                )
            },
            HostileCase("idempotency key reused with another reason", .alreadyExists, "k-alice") {
                var reused = IntakeServiceTests.submission("k-alice", order: "o-alice", user: "alice")
                reused.reasonStatement = "A different, equally specific statement: the code was never revealed."
                _ = try await intake.submitRefund(reused)
            },
            HostileCase("idempotency key of 129 bytes", .invalidArgument, "idempotency_key") {
                _ = try await intake.submitRefund(submission { $0.idempotencyKey = String(repeating: "k", count: 129) })
            },
            HostileCase("duplicate charge naming bob's payment", .notFound, "pay-bob") {
                _ = try await intake.submitRefund(
                    submission {
                        $0.ground = .duplicateCharge
                        $0.paymentID = "pay-bob"
                    }
                )
            },
            HostileCase("requester IP of 10 kB", .invalidArgument, "requester_ip") {
                _ = try await intake.submitRefund(submission { $0.requesterIP = String(repeating: "1", count: 10_000) })
            },
            HostileCase("locale with a control character", .invalidArgument, "locale") {
                _ = try await intake.submitRefund(submission { $0.locale = "en\u{1}" })
            },

            // Pre-check, reading and acting on refunds: other users' ids are not found.
            HostileCase("bob pre-checks alice's order", .notFound, "o-alice") {
                _ = try await intake.preCheck(PreCheckRequest(userID: "bob", orderID: "o-alice", ground: .notUsed))
            },
            HostileCase("pre-check with an unknown material", .invalidArgument, "materials") {
                _ = try await intake.preCheck(
                    PreCheckRequest(
                        userID: "alice",
                        orderID: "o-alice",
                        ground: .notUsed,
                        materials: [MaterialKind(rawValue: 99)]
                    )
                )
            },
            HostileCase("bob reads alice's refund", .notFound, refund, hides: "alice") {
                _ = try await intake.getRefund(GetRefundRequest(userID: "bob", refundID: refund))
            },
            HostileCase("bob withdraws alice's refund", .notFound, refund, hides: "alice") {
                _ = try await intake.withdrawRefund(WithdrawRefundRequest(userID: "bob", refundID: refund))
            },
            HostileCase("bob answers alice's offer", .notFound, refund) {
                _ = try await intake.answerOffer(AnswerOfferRequest(userID: "bob", refundID: refund, accept: true))
            },
            HostileCase("bob supplies materials to alice's refund", .notFound, refund) {
                _ = try await intake.supplyMaterials(
                    SupplyMaterialsRequest(userID: "bob", refundID: refund, reasonStatement: "let me in")
                )
            },
            HostileCase("bob watches alice's refund", .notFound, refund) {
                _ = try await intake.watchRefund(GetRefundRequest(userID: "bob", refundID: refund)) { stream in
                    for try await _ in stream {}
                }
            },
            HostileCase("supplying nothing", .invalidArgument, "at least one") {
                _ = try await intake.supplyMaterials(SupplyMaterialsRequest(userID: "alice", refundID: refund))
            },
            HostileCase("supplying a hidden file", .invalidArgument, "file_name") {
                _ = try await intake.supplyMaterials(
                    SupplyMaterialsRequest(
                        userID: "alice",
                        refundID: refund,
                        attachments: [attachment(".bashrc", "text/plain")]
                    )
                )
            },
            HostileCase("refund id of 1000 bytes", .invalidArgument, "refund_id") {
                _ = try await intake.getRefund(
                    GetRefundRequest(userID: "alice", refundID: String(repeating: "r", count: 1_000))
                )
            },
            HostileCase("no user id", .invalidArgument, "user_id") {
                _ = try await intake.listRefunds(ListRefundsRequest())
            },

            // ApplyStatus (the other services' feed): enums, amounts, times, unknown refunds, reused ids.
            HostileCase("status of unknown state", .invalidArgument, "state") {
                _ = try await intake.applyStatus(status { $0.state = RefundState(rawValue: 99) })
            },
            HostileCase("status from the future", .invalidArgument, "in the future") {
                _ = try await intake.applyStatus(status { $0.atMs = now + 3_600_000 })
            },
            HostileCase("negative amount", .invalidArgument, "amount_fen") {
                _ = try await intake.applyStatus(status { $0.amountFen = -1 })
            },
            HostileCase("fee above the amount", .invalidArgument, "fee_fen") {
                _ = try await intake.applyStatus(
                    status {
                        $0.amountFen = 100
                        $0.feeFen = 101
                    }
                )
            },
            HostileCase("status of a forged refund", .notFound, "rf-forged") {
                _ = try await intake.applyStatus(status { $0.refundID = "rf-forged" })
            },
            HostileCase("event id reused for another state", .alreadyExists, "state") {
                var reused = seeded
                reused.state = .approved
                _ = try await intake.applyStatus(reused)
            },
        ]
    }
}
