/// R-R5: the pro-rated refund of a partly used time-based product (剩余时长折算).
///
/// The offer is `price × remainingDays / totalDays`, computed exactly in integers and rounded
/// down to the fen: the platform never offers more than the exact share of the days left, and
/// the result never exceeds the price. A 30-day card of 3000 fen used 10 days gets 2000 fen; one
/// of 1000 fen used 1 day of 3 gets 666 fen (exact 666.67).
public enum ProRating {
    /// The pro-rated amount in fen.
    ///
    /// The product `price × remaining` is taken in 128 bits, so no price or length overflows.
    ///
    /// - Parameters:
    ///   - priceFen: what was paid, ≥ 0.
    ///   - totalDays: the subscription's length (`Order.total_days`), > 0.
    ///   - daysUsed: days used so far, 0...totalDays.
    /// - Throws: ``ProRatingError`` for a negative price, a non-positive length, or days used
    ///   outside 0...totalDays.
    public static func offer(priceFen: Int64, totalDays: Int, daysUsed: Int) throws(ProRatingError) -> Int64 {
        guard priceFen >= 0 else {
            throw ProRatingError(code: .negativePrice, message: "price \(priceFen) fen is negative")
        }
        guard totalDays > 0 else {
            throw ProRatingError(
                code: .nonPositiveTotalDays,
                message: "the subscription length \(totalDays) days is not positive; it cannot be pro-rated"
            )
        }
        guard daysUsed >= 0 else {
            throw ProRatingError(code: .negativeDaysUsed, message: "days used \(daysUsed) is negative")
        }
        guard daysUsed <= totalDays else {
            throw ProRatingError(
                code: .daysUsedExceedTotal,
                message: "days used \(daysUsed) exceed the subscription length \(totalDays)"
            )
        }
        let remaining = Int64(totalDays - daysUsed)
        let product = priceFen.multipliedFullWidth(by: remaining)
        // Both operands are non-negative and remaining ≤ totalDays, so the quotient is ≤ price:
        // it fits, and truncation is rounding down.
        let (quotient, _) = Int64(totalDays).dividingFullWidth(product)
        return min(max(quotient, 0), priceFen)
    }
}

/// Why a pro-rated amount could not be computed (R-R5).
public struct ProRatingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong; extensible without a breaking change.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public static let negativePrice = Code(rawValue: "negativePrice")
        public static let nonPositiveTotalDays = Code(rawValue: "nonPositiveTotalDays")
        public static let negativeDaysUsed = Code(rawValue: "negativeDaysUsed")
        public static let daysUsedExceedTotal = Code(rawValue: "daysUsedExceedTotal")

        public var description: String { rawValue }
    }

    public var code: Code
    /// For an operator: which input is wrong and how.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "pro-rating (R-R5): \(message)" }
}
