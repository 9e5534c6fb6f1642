import RefundMeshStore
import Testing

@Suite("OutboxRelay.Backoff")
struct OutboxRelayBackoffTests {
    @Test("delays double from the initial one and stop at the cap")
    func exponentialWithCap() {
        let backoff = OutboxRelay.Backoff()
        #expect(backoff.delay(afterAttempts: 1, random: 0) == .milliseconds(50))
        #expect(backoff.delay(afterAttempts: 2, random: 0) == .milliseconds(100))
        #expect(backoff.delay(afterAttempts: 3, random: 0) == .milliseconds(200))
        #expect(backoff.delay(afterAttempts: 11, random: 0) == .seconds(30))
        #expect(backoff.delay(afterAttempts: 500, random: 0) == .seconds(30))
    }

    @Test("jitter takes away at most its fraction of the delay")
    func jitterBounds() {
        let backoff = OutboxRelay.Backoff(jitter: 0.2)
        #expect(backoff.delay(afterAttempts: 2, random: 1) == .milliseconds(80))
        for _ in 0..<100 {
            let delay = backoff.delay(afterAttempts: 2)
            #expect(delay >= .milliseconds(80) && delay <= .milliseconds(100))
        }
    }
}
