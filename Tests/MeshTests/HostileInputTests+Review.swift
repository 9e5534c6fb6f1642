import Foundation
import RefundMeshAPI
import RefundMeshRPC

extension HostileInputTests {
    /// Seeds a fact and a manual case held by reviewer `rev-h` after one decision (a request for
    /// materials, R-R6), then returns the attack on review.
    static func reviewCases(_ review: Review.Client) async throws -> [HostileCase] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let asReviewer = CallOptions(metadata: ["reviewer-id": "rev-h"])
        let seedFact = FulfillmentFact(factID: "f-seed", orderID: "o-seed", kind: .cardKeyIssued, atMs: now - 60_000)
        _ = try await review.recordFulfillment(seedFact)
        @Sendable func openCase(_ refundID: String, ground: RefundGround = .notUsed) -> OpenCaseRequest {
            OpenCaseRequest(
                refundID: refundID,
                order: Order(
                    orderID: "o-\(refundID)",
                    userID: "u-9",
                    productKind: ground == .notAsDescribed ? .virtualService : .cardKey,
                    priceFen: 20_000,
                    paidAtMs: now - 3_600_000,
                    cardKeyID: "ck-\(refundID)"
                ),
                ground: ground,
                attachments: [
                    AttachmentRef(
                        kind: .orderProof,
                        fileName: "order.png",
                        contentType: "image/png",
                        sha256Hex: String(repeating: "a", count: 64),
                        sizeBytes: 10
                    )
                ],
                destination: .original,
                requestedAmountFen: 20_000,
                submittedAtMs: now,
                locale: "en"
            )
        }
        // R-R3: "not as described" goes to a person.
        _ = try await review.openCase(openCase("r-manual", ground: .notAsDescribed))
        _ = try await review.claimCase(ClaimCaseRequest(refundID: "r-manual"), options: asReviewer)
        let seedDecision = DecideCaseRequest(
            decisionID: "d-seed",
            refundID: "r-manual",
            action: .requestMaterials,
            materials: [.nonUseProof],
            note: "please send the screen recording"
        )
        _ = try await review.decideCase(seedDecision, options: asReviewer)
        _ = try await review.claimCase(ClaimCaseRequest(refundID: "r-manual"), options: asReviewer)

        @Sendable func hostileCase(_ change: (inout OpenCaseRequest) -> Void) -> OpenCaseRequest {
            var request = openCase("r-hostile")
            change(&request)
            return request
        }
        @Sendable func fact(_ change: (inout FulfillmentFact) -> Void) -> FulfillmentFact {
            var fact = FulfillmentFact(factID: "f-hostile", orderID: "o-seed", kind: .cardKeyActivated, atMs: now - 1)
            change(&fact)
            return fact
        }
        @Sendable func decision(_ change: (inout DecideCaseRequest) -> Void) -> DecideCaseRequest {
            var request = DecideCaseRequest(
                decisionID: "d-hostile",
                refundID: "r-manual",
                action: .approveFull,
                note: "looks fine"
            )
            change(&request)
            return request
        }

        return [
            // The fulfillment feed.
            HostileCase("fact of unknown kind", .invalidArgument, "kind") {
                _ = try await review.recordFulfillment(fact { $0.kind = FulfillmentFact.Kind(rawValue: 99) })
            },
            HostileCase("fact from tomorrow", .invalidArgument, "in the future") {
                _ = try await review.recordFulfillment(fact { $0.atMs = now + 86_400_000 })
            },
            HostileCase("negative days used", .invalidArgument, "days_used") {
                _ = try await review.recordFulfillment(
                    fact {
                        $0.kind = .daysUsed
                        $0.daysUsed = -1
                    }
                )
            },
            HostileCase("fact id with DEL", .invalidArgument, "fact_id") {
                _ = try await review.recordFulfillment(fact { $0.factID = "f-\u{7F}" })
            },
            HostileCase("detail of 2001 characters", .invalidArgument, "detail") {
                _ = try await review.recordFulfillment(fact { $0.detail = String(repeating: "d", count: 2_001) })
            },
            HostileCase("a known fact id with another kind", .alreadyExists, "kind") {
                var changed = seedFact
                changed.kind = .cardKeyActivated
                _ = try await review.recordFulfillment(changed)
            },

            // OpenCase (intake's outbox), checked as any input.
            HostileCase("negative requested amount", .invalidArgument, "requested_amount_fen") {
                _ = try await review.openCase(hostileCase { $0.requestedAmountFen = -20_000 })
            },
            HostileCase("order price Int64.max", .invalidArgument, "price_fen") {
                _ = try await review.openCase(hostileCase { $0.order?.priceFen = .max })
            },
            HostileCase("order paid in the future", .invalidArgument, "paid_at_ms") {
                _ = try await review.openCase(hostileCase { $0.order?.paidAtMs = now + 86_400_000 })
            },
            HostileCase("case of unknown ground", .invalidArgument, "ground") {
                _ = try await review.openCase(hostileCase { $0.ground = RefundGround(rawValue: 77) })
            },
            HostileCase("case of unknown destination", .invalidArgument, "destination") {
                _ = try await review.openCase(hostileCase { $0.destination = Destination(rawValue: 9) })
            },
            HostileCase("attachment reference with a path", .invalidArgument, "file_name") {
                _ = try await review.openCase(hostileCase { $0.attachments[0].fileName = "../../x.png" })
            },
            HostileCase("attachment reference without a SHA-256", .invalidArgument, "sha256_hex") {
                _ = try await review.openCase(hostileCase { $0.attachments[0].sha256Hex = "zz" })
            },
            HostileCase("case submitted in the future", .invalidArgument, "in the future") {
                _ = try await review.openCase(hostileCase { $0.submittedAtMs = now + 86_400_000 })
            },
            HostileCase("case without its order", .invalidArgument, "order") {
                _ = try await review.openCase(hostileCase { $0.order = nil })
            },

            // intake's other events: forged refunds, bad ids and references.
            HostileCase("materials for a forged refund", .notFound, "r-forged") {
                _ = try await review.addMaterials(AddMaterialsRequest(eventID: "m-1", refundID: "r-forged"))
            },
            HostileCase("materials event id of 200 bytes", .invalidArgument, "event_id") {
                _ = try await review.addMaterials(
                    AddMaterialsRequest(eventID: String(repeating: "e", count: 200), refundID: "r-manual")
                )
            },
            HostileCase("materials of unknown kind", .invalidArgument, "kind") {
                var reference = openCase("r-manual").attachments[0]
                reference.kind = MaterialKind(rawValue: 42)
                _ = try await review.addMaterials(
                    AddMaterialsRequest(eventID: "m-2", refundID: "r-manual", attachments: [reference])
                )
            },
            HostileCase("offer answer for a forged refund", .notFound, "r-forged") {
                _ = try await review.recordOfferAnswer(OfferAnswer(eventID: "a-1", refundID: "r-forged", accept: true))
            },
            HostileCase("withdrawal of a forged refund", .notFound, "r-forged") {
                _ = try await review.withdrawCase(WithdrawCaseRequest(eventID: "w-1", refundID: "r-forged"))
            },
            HostileCase("case id with a control character", .invalidArgument, "refund_id") {
                _ = try await review.getCase(GetCaseRequest(refundID: "r-\u{1}"))
            },
            HostileCase("claim of an id with a space", .invalidArgument, "refund_id") {
                _ = try await review.claimCase(ClaimCaseRequest(refundID: "r manual"), options: asReviewer)
            },
            HostileCase("evidence of no case", .invalidArgument, "refund_id") {
                _ = try await review.exportCaseEvidence(ExportCaseEvidenceRequest())
            },

            // A reviewer's decisions (R-R10), on the case rev-h holds.
            HostileCase("unknown action", .invalidArgument, "action") {
                _ = try await review.decideCase(
                    decision { $0.action = DecideCaseRequest.Action(rawValue: 9) },
                    options: asReviewer
                )
            },
            HostileCase("partial approval above the amount requested", .invalidArgument, "amount_fen") {
                _ = try await review.decideCase(
                    decision {
                        $0.action = .approvePartial
                        $0.amountFen = 20_001
                    },
                    options: asReviewer
                )
            },
            HostileCase("partial approval of Int64.max", .invalidArgument, "amount_fen") {
                _ = try await review.decideCase(
                    decision {
                        $0.action = .approvePartial
                        $0.amountFen = .max
                    },
                    options: asReviewer
                )
            },
            HostileCase("negative partial approval", .invalidArgument, "amount_fen") {
                _ = try await review.decideCase(
                    decision {
                        $0.action = .approvePartial
                        $0.amountFen = -1
                    },
                    options: asReviewer
                )
            },
            HostileCase("note of 2001 characters", .invalidArgument, "note") {
                _ = try await review.decideCase(
                    decision { $0.note = String(repeating: "n", count: 2_001) },
                    options: asReviewer
                )
            },
            HostileCase("blank note", .invalidArgument, "note") {
                _ = try await review.decideCase(decision { $0.note = " \n " }, options: asReviewer)
            },
            HostileCase("offer for negative days", .invalidArgument, "days_used") {
                _ = try await review.decideCase(
                    decision {
                        $0.action = .offer
                        $0.daysUsed = -5
                    },
                    options: asReviewer
                )
            },
            HostileCase("rejection under an unknown negative-list entry", .invalidArgument, "negative_list_item") {
                _ = try await review.decideCase(
                    decision {
                        $0.action = .reject
                        $0.negativeListItem = NegativeListItem(rawValue: 99)
                    },
                    options: asReviewer
                )
            },
            HostileCase("request for unknown materials", .invalidArgument, "materials") {
                _ = try await review.decideCase(
                    decision {
                        $0.action = .requestMaterials
                        $0.materials = [MaterialKind(rawValue: 42)]
                    },
                    options: asReviewer
                )
            },
            HostileCase("decision on a forged refund", .notFound, "r-forged") {
                _ = try await review.decideCase(decision { $0.refundID = "r-forged" }, options: asReviewer)
            },
            HostileCase("decision id reused for another action", .alreadyExists, "action") {
                var reused = seedDecision
                reused.action = .approveFull
                _ = try await review.decideCase(reused, options: asReviewer)
            },
        ]
    }
}
