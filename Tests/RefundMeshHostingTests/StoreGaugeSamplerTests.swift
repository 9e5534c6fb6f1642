import Testing

@testable import RefundMeshHosting

@Suite("StoreGaugeSampler")
struct StoreGaugeSamplerTests {
    @Test("the pause between passes is the interval, or 19 times a pass that took longer than a twentieth of it")
    func pacing() {
        #expect(StoreGaugeSampler.pause(after: .milliseconds(20), interval: .seconds(5)) == .seconds(5))
        #expect(StoreGaugeSampler.pause(after: .milliseconds(263), interval: .seconds(5)) == .seconds(5))
        #expect(StoreGaugeSampler.pause(after: .milliseconds(500), interval: .seconds(5)) == .milliseconds(9_500))
        #expect(StoreGaugeSampler.pause(after: .seconds(2), interval: .seconds(5)) == .seconds(38))
    }
}
