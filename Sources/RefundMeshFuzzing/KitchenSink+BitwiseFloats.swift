import RefundMeshTestSupport

extension KitchenSink {
    /// Equal field by field, with floats and doubles compared by their bits: a NaN that decoded
    /// must come back as the same NaN. (`==` says NaN ≠ NaN; and `first != first` cannot spot a
    /// NaN, because `Array`'s `==` answers true for a buffer compared with itself.)
    static func bitwiseEqual(_ lhs: KitchenSink, _ rhs: KitchenSink) -> Bool {
        lhs.fFloat.bitPattern == rhs.fFloat.bitPattern
            && lhs.fDouble.bitPattern == rhs.fDouble.bitPattern
            && lhs.rDouble.map(\.bitPattern) == rhs.rDouble.map(\.bitPattern)
            && lhs.withoutFloats == rhs.withoutFloats
    }

    private var withoutFloats: KitchenSink {
        var copy = self
        copy.fFloat = 0
        copy.fDouble = 0
        copy.rDouble = []
        return copy
    }
}
