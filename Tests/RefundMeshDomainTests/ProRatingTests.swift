import RefundMeshDomain
import Testing

@Suite("ProRating (R-R5): exact share of the days left, rounded down")
struct ProRatingTests {
    @Test("R-R5: a 30-day card of 3000 fen used 10 days is offered 2000 fen")
    func seedStory() throws {
        #expect(try ProRating.offer(priceFen: 3000, totalDays: 30, daysUsed: 10) == 2000)
    }

    @Test("R-R5: rounding is down to the fen, never above the exact share")
    func roundsDown() throws {
        // 1000 × 2 / 3 = 666.67 → 666; 1 × 29 / 30 = 0.97 → 0.
        #expect(try ProRating.offer(priceFen: 1000, totalDays: 3, daysUsed: 1) == 666)
        #expect(try ProRating.offer(priceFen: 1, totalDays: 30, daysUsed: 1) == 0)
        #expect(try ProRating.offer(priceFen: 2999, totalDays: 30, daysUsed: 10) == 1999)
    }

    @Test("R-R5: the ends: nothing used is the price, all used is zero")
    func ends() throws {
        #expect(try ProRating.offer(priceFen: 3000, totalDays: 30, daysUsed: 0) == 3000)
        #expect(try ProRating.offer(priceFen: 3000, totalDays: 30, daysUsed: 30) == 0)
        #expect(try ProRating.offer(priceFen: 0, totalDays: 30, daysUsed: 3) == 0)
    }

    @Test("R-R5: huge prices do not overflow")
    func noOverflow() throws {
        #expect(try ProRating.offer(priceFen: .max, totalDays: 3, daysUsed: 1) == Int64.max / 3 * 2)
        #expect(try ProRating.offer(priceFen: .max, totalDays: Int(Int32.max), daysUsed: 0) == .max)
    }

    @Test(
        "R-R5: bad inputs are errors with a clear code",
        arguments: [
            (Int64(-1), 30, 0, ProRatingError.Code.negativePrice),
            (Int64(3000), 0, 0, .nonPositiveTotalDays),
            (Int64(3000), -30, 0, .nonPositiveTotalDays),
            (Int64(3000), 30, -1, .negativeDaysUsed),
            (Int64(3000), 30, 31, .daysUsedExceedTotal),
        ]
    )
    func errors(price: Int64, total: Int, used: Int, code: ProRatingError.Code) {
        #expect {
            try ProRating.offer(priceFen: price, totalDays: total, daysUsed: used)
        } throws: { error in
            (error as? ProRatingError)?.code == code
        }
    }
}
