import Testing

@testable import RefundMeshRPC

@Suite("Outbound flow-control window")
struct OutboundWindowTests {
    @Test("credits are spent one per message; with none left the write is parked until a grant")
    func parkAndGrant() async throws {
        var window = OutboundWindow(credits: 1)
        try await withCheckedThrowingContinuation { (writer: CheckedContinuation<Void, any Error>) in
            let admitted = window.admit([1], continuation: writer)
            #expect(admitted)
            writer.resume()
        }
        #expect(window.credits == 0)
        try await withCheckedThrowingContinuation { (writer: CheckedContinuation<Void, any Error>) in
            let admitted = window.admit([2], continuation: writer)
            #expect(!admitted, "no credit left: parked")
            let nothing = window.grant(0)
            #expect(nothing == nil, "an empty grant releases nothing")
            let released = window.grant(3)
            #expect(released?.bytes == [2])
            released?.continuation.resume()
        }
        #expect(window.credits == 2, "the released write took one of the three credits")
    }

    @Test("a grant never overflows the credit counter")
    func saturates() {
        var window = OutboundWindow(credits: .max - 1)
        let released = window.grant(10)
        #expect(released == nil)
        #expect(window.credits == .max)
    }

    @Test("failing the parked write resumes its writer with the error")
    func failParked() async {
        var window = OutboundWindow(credits: 0)
        await #expect(throws: RPCError.self) {
            try await withCheckedThrowingContinuation { (writer: CheckedContinuation<Void, any Error>) in
                _ = window.admit([9], continuation: writer)
                window.failParked(RPCError(code: .cancelled, message: "ended"))
            }
        }
        window.failParked(RPCError(code: .cancelled, message: "again"))  // nothing parked: no-op
    }
}
