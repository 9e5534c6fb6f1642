import Logging
import RefundMeshHosting
import RefundMeshRPC
import Testing

@Suite("DrainGate")
struct DrainGateTests {
    func context(_ service: String) -> ServerContext {
        ServerContext(
            method: MethodDescriptor(
                service: service,
                method: "M",
                kind: .unary,
                isIdempotent: false,
                requestType: "",
                responseType: ""
            ),
            metadata: [:],
            deadline: nil,
            peer: "test",
            requestID: "r",
            logger: Logger(label: "test")
        )
    }

    @Test("drained: business calls are refused UNAVAILABLE, health and operations still served; resumed: served")
    func refusesWhileDrained() async throws {
        let gate = DrainGate()
        #expect(try await gate.intercept(context: context("refundmesh.intake.v1.Intake")) { _ in 1 } == 1)
        gate.setDraining(true)
        let refused = await #expect(throws: RPCError.self) {
            _ = try await gate.intercept(context: context("refundmesh.intake.v1.Intake")) { _ in 1 }
        }
        #expect(refused?.code == .unavailable)
        #expect(try await gate.intercept(context: context("refundmesh.health.v1.Health")) { _ in 2 } == 2)
        #expect(try await gate.intercept(context: context("refundmesh.operations.v1.Operations")) { _ in 3 } == 3)
        gate.setDraining(false)
        #expect(try await gate.intercept(context: context("refundmesh.intake.v1.Intake")) { _ in 4 } == 4)
        #expect(gate.inFlight == 0)
    }
}
