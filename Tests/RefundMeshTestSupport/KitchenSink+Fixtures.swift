/// Messages with every field kind set, shared by the codec tests.
extension KitchenSink {
    /// Every field set, with values away from defaults (finite floats, so `==` holds).
    public static var everyField: KitchenSink {
        KitchenSink(
            fInt32: -42,
            fInt64: -4_200_000_000_000,
            fUint32: 4_000_000_000,
            fUint64: 18_000_000_000_000_000_000,
            fSint32: -7,
            fSint64: -7_000_000_000,
            fFixed32: 0xDEAD_BEEF,
            fFixed64: 0xDEAD_BEEF_CAFE_F00D,
            fSfixed32: -123_456,
            fSfixed64: -123_456_789_012,
            fBool: true,
            fFloat: 3.25,
            fDouble: -2.5e300,
            fString: "refund №42",
            fBytes: [0, 1, 2, 0xFF, 0],
            fEnum: .green,
            fMessage: Inner(
                name: "inner",
                amountFen: 12_345,
                tags: ["a", "", "c"],
                deeper: Inner.Deeper(flag: true, colour: .blue)
            ),
            rInt32: [0, -1, .max, .min],
            rInt64: [0, -1, .max, .min],
            rUint64: [0, 1, .max],
            rSint64: [.min, -1, 0, 1, .max],
            rBool: [true, false, true],
            rDouble: [0, 1.5, -1e-300],
            rString: ["x", "", "退款"],
            rBytes: [[], [0], [1, 2, 3]],
            rEnum: [.red, .blue, .unspecified],
            rMessage: [Inner(), Inner(name: "second"), Inner(deeper: Inner.Deeper())],
            choice: .choiceInner(Inner(name: "chosen")),
            labels: ["b": "2", "a": "1", "": "empty key", "ключ": "значение"],
            counters: ["x": .max, "y": .min, "z": 0],
            innerByID: [3: Inner(name: "three"), -1: Inner(), 0: Inner(tags: ["zero"])],
            nestedRef: Inner.Deeper(flag: false, colour: .red),
            default: "keyword field"
        )
    }
}
