extension EvidenceLogEntry {
    /// What is wrong with the entry's bytes on their own: not a JSON object of a record's shape,
    /// not canonical, a `seq` field that is not ``sequence``, or (in a case export) a
    /// `refund_id` that is not `refundID`. Empty when nothing is.
    public func contentProblems(refundID: String? = nil) -> [EvidenceProblem] {
        let value: EvidenceValue
        do {
            value = try EvidenceValue.parse(entry)
        } catch let error as EvidenceError {
            return [EvidenceProblem(.malformedEntry, sequence: sequence, "entry is not valid JSON: \(error.message)")]
        } catch {
            return [EvidenceProblem(.malformedEntry, sequence: sequence, "entry is not valid JSON: \(error)")]
        }
        guard case .object = value else {
            return [EvidenceProblem(.malformedEntry, sequence: sequence, "entry is JSON but not an object")]
        }
        var problems: [EvidenceProblem] = []
        if let seq = value["seq"]?.integerValue {
            if seq != sequence {
                problems.append(
                    EvidenceProblem(
                        .sequenceFieldMismatch,
                        sequence: sequence,
                        "the entry's JSON says \"seq\":\(seq) but it is stored as sequence \(sequence)"
                    )
                )
            }
        } else {
            problems.append(EvidenceProblem(.malformedEntry, sequence: sequence, "entry has no integer \"seq\" field"))
        }
        if value["v"]?.integerValue != 1 {
            problems.append(EvidenceProblem(.malformedEntry, sequence: sequence, "entry's \"v\" is not 1"))
        }
        if let refundID, value["refund_id"]?.stringValue != refundID {
            let found = value["refund_id"]?.stringValue.map { "\"\($0)\"" } ?? "missing"
            problems.append(
                EvidenceProblem(
                    .wrongRefund,
                    sequence: sequence,
                    "entry's refund_id is \(found), not \"\(refundID)\""
                )
            )
        }
        if value.canonicalJSON != entry {
            problems.append(
                EvidenceProblem(
                    .nonCanonicalEntry,
                    sequence: sequence,
                    "entry is not canonical JSON (docs/EVIDENCE.md: sorted keys, no whitespace, minimal escapes)"
                )
            )
        }
        return problems
    }
}
