import RefundMeshAPI
import RefundMeshDomain
import Testing

/// Precision and recall of `RiskAssessment.manual` against a labelled data set (R-R7, R-A7).
///
/// The data set is simulated (``RiskScoringDataSet``: 4,800 honest users and 240 abusers of each
/// of five patterns, one request each, with noise on both sides), so the figures say how the
/// default configuration behaves under stated assumptions about customers, not how it will do on
/// real traffic; measure again on labelled production cases before changing defaults.
@Suite("RiskScorer measurement (R-R7): precision and recall on a labelled, simulated data set")
struct RiskScoringMeasurementTests {
    /// The data sets measured: the first is the reference, the others show the figures are not
    /// a property of one seed.
    static let seeds: [UInt64] = [0x5EED_2026_1105, 7, 20_261_111]

    /// Floors: a person's time is spent mostly on abuse, and most abuse reaches a person.
    ///
    /// Not 0.9: about 11% of the data set's abuse is disguised as honest by construction (see
    /// ``RiskScoringDataSet``), which caps recall near 0.89, and the honest users' noise (new
    /// phones on new networks, legitimate large purchases, …) sends about 2.5-3.3% of them to a
    /// person, which at 20% abuse holds precision near 0.87-0.90. The floors sit a few points
    /// below what the defaults measure, so a change that loses a signal or floods the queue fails.
    static let precisionFloor = 0.85
    static let recallFloor = 0.85
    /// Each pattern alone (its built-in misses are 8-16%).
    static let patternRecallFloor = 0.75
    /// Abuse that shows in the inputs is caught.
    static let undisguisedRecallFloor = 0.97
    /// Honest customers sent to a person, whatever the share of abuse.
    static let falsePositiveRateCeiling = 0.04

    struct Measurement {
        var truePositives = 0
        var falsePositives = 0
        var falseNegatives = 0
        var trueNegatives = 0
        var undisguisedAbuse = 0
        var undisguisedFlagged = 0
        var flaggedByPattern: [RiskScoringDataSet.Pattern: Int] = [:]
        var countByPattern: [RiskScoringDataSet.Pattern: Int] = [:]
        /// Per signal: how often it fired, and how often on abuse.
        var signalFired: [String: Int] = [:]
        var signalFiredOnAbuse: [String: Int] = [:]

        var precision: Double { ratio(truePositives, truePositives + falsePositives) }
        var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
        var falsePositiveRate: Double { ratio(falsePositives, falsePositives + trueNegatives) }
        /// Recall on abuse that is not disguised as honest.
        var undisguisedRecall: Double { ratio(undisguisedFlagged, undisguisedAbuse) }

        func recall(_ pattern: RiskScoringDataSet.Pattern) -> Double {
            ratio(flaggedByPattern[pattern, default: 0], countByPattern[pattern, default: 0])
        }

        /// Precision as if `pattern` were the only abuse: its flagged requests against all honest
        /// requests flagged.
        func precision(_ pattern: RiskScoringDataSet.Pattern) -> Double {
            let flagged = flaggedByPattern[pattern, default: 0]
            return ratio(flagged, flagged + falsePositives)
        }

        private func ratio(_ part: Int, _ whole: Int) -> Double {
            whole == 0 ? 0 : Double(part) / Double(whole)
        }
    }

    static func measure(_ scorer: RiskScorer, _ examples: [RiskScoringDataSet.Example]) -> Measurement {
        var measurement = Measurement()
        for example in examples {
            let assessment = scorer.assess(example.inputs)
            let abuse = example.pattern.isAbuse
            measurement.countByPattern[example.pattern, default: 0] += 1
            if assessment.manual { measurement.flaggedByPattern[example.pattern, default: 0] += 1 }
            if abuse && !example.disguised {
                measurement.undisguisedAbuse += 1
                if assessment.manual { measurement.undisguisedFlagged += 1 }
            }
            switch (assessment.manual, abuse) {
            case (true, true): measurement.truePositives += 1
            case (true, false): measurement.falsePositives += 1
            case (false, true): measurement.falseNegatives += 1
            case (false, false): measurement.trueNegatives += 1
            }
            for signal in assessment.signals {
                measurement.signalFired[signal.name, default: 0] += 1
                if abuse { measurement.signalFiredOnAbuse[signal.name, default: 0] += 1 }
            }
        }
        return measurement
    }

    static func percent(_ value: Double) -> String {
        let tenths = Int((value * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func report(_ title: String, _ examples: [RiskScoringDataSet.Example], _ measurement: Measurement) {
        var lines = [
            "\(title): \(examples.count) requests, \(measurement.truePositives + measurement.falseNegatives) abuse",
            "  overall: precision \(percent(measurement.precision)), recall \(percent(measurement.recall)), "
                + "honest users sent to a person \(percent(measurement.falsePositiveRate)) "
                + "(TP \(measurement.truePositives), FP \(measurement.falsePositives), "
                + "FN \(measurement.falseNegatives), TN \(measurement.trueNegatives))",
            "  undisguised abuse: recall \(percent(measurement.undisguisedRecall)) "
                + "(\(measurement.undisguisedFlagged)/\(measurement.undisguisedAbuse))",
        ]
        for pattern in RiskScoringDataSet.Pattern.allCases where pattern.isAbuse {
            let flagged = measurement.flaggedByPattern[pattern, default: 0]
            let count = measurement.countByPattern[pattern, default: 0]
            lines.append(
                "  \(pattern.rawValue): recall \(percent(measurement.recall(pattern))) (\(flagged)/\(count)), "
                    + "precision if it were the only abuse \(percent(measurement.precision(pattern)))"
            )
        }
        for kind in RiskSignalKind.allCases {
            let fired = measurement.signalFired[kind.name, default: 0]
            let onAbuse = measurement.signalFiredOnAbuse[kind.name, default: 0]
            lines.append(
                "  signal \(kind.name): fired \(fired), on abuse \(onAbuse)"
                    + (fired > 0 ? " (\(percent(Double(onAbuse) / Double(fired))))" : "")
            )
        }
        print(lines.joined(separator: "\n"))
    }

    @Test("R-R7: the data set is deterministic, large enough and labelled with every pattern")
    func dataSet() {
        let examples = RiskScoringDataSet.generate(seed: Self.seeds[0])
        #expect(examples.count == 6_000)
        let again = RiskScoringDataSet.generate(seed: Self.seeds[0])
        #expect(examples.map(\.inputs) == again.map(\.inputs))
        #expect(RiskScoringDataSet.generate(seed: Self.seeds[1]).map(\.inputs) != examples.map(\.inputs))
        for pattern in RiskScoringDataSet.Pattern.allCases {
            #expect(examples.contains { $0.pattern == pattern })
        }
        // The noise is there: the scorer cannot be perfect on this data.
        let measurement = Self.measure(RiskScorer(), examples)
        #expect(measurement.falsePositives > 0 && measurement.falseNegatives > 0)
    }

    @Test(
        "R-R7: the defaults reach the precision and recall floors on every seed",
        arguments: seeds
    )
    func defaultsMeetFloors(seed: UInt64) {
        let examples = RiskScoringDataSet.generate(seed: seed)
        let measurement = Self.measure(RiskScorer(), examples)
        Self.report("seed \(seed), default configuration", examples, measurement)
        #expect(measurement.precision >= Self.precisionFloor)
        #expect(measurement.recall >= Self.recallFloor)
        #expect(measurement.falsePositiveRate <= Self.falsePositiveRateCeiling)
        #expect(measurement.undisguisedRecall >= Self.undisguisedRecallFloor)
        for pattern in RiskScoringDataSet.Pattern.allCases where pattern.isAbuse {
            #expect(measurement.recall(pattern) >= Self.patternRecallFloor, "\(pattern.rawValue)")
        }
    }

    @Test("R-R7: the floors fail for configurations that are plainly wrong")
    func floorsCanFail() throws {
        let examples = RiskScoringDataSet.generate(seed: Self.seeds[0])
        // Any changed network or device alone sends the case to a person: honest users flood the queue.
        let jumpy = try RiskConfiguration(weights: [.deviceMismatch: 50, .ipMismatch: 50])
        let jumpyMeasurement = Self.measure(RiskScorer(configuration: jumpy), examples)
        Self.report("device or IP alone decisive", examples, jumpyMeasurement)
        #expect(jumpyMeasurement.precision < Self.precisionFloor)

        // Device and network weigh too little to add up: account takeovers pass.
        let blind = try RiskConfiguration(weights: [.deviceMismatch: 20, .ipMismatch: 10])
        let blindMeasurement = Self.measure(RiskScorer(configuration: blind), examples)
        #expect(blindMeasurement.recall(.accountTakeover) < Self.patternRecallFloor)

        // A threshold no request reaches.
        let asleep = try RiskConfiguration(threshold: 1_000)
        #expect(Self.measure(RiskScorer(configuration: asleep), examples).recall < Self.recallFloor)
    }

    @Test("R-R7: the threshold's trade-off around the default (printed for the docs)")
    func thresholdSweep() throws {
        let examples = RiskScoringDataSet.generate(seed: Self.seeds[0])
        var lines = ["threshold sweep, seed \(Self.seeds[0]):"]
        var previousRecall = 1.1
        for threshold in [20, 30, 40, 50, 60, 80] {
            let measurement = Self.measure(
                RiskScorer(configuration: try RiskConfiguration(threshold: threshold)),
                examples
            )
            lines.append(
                "  \(threshold): precision \(Self.percent(measurement.precision)), "
                    + "recall \(Self.percent(measurement.recall)), "
                    + "honest users sent to a person \(Self.percent(measurement.falsePositiveRate))"
            )
            // A higher threshold never sends more cases to a person.
            #expect(measurement.recall <= previousRecall)
            previousRecall = measurement.recall
        }
        print(lines.joined(separator: "\n"))
    }
}
