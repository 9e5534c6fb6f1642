/// The fields in which two values of one message type differ, by their proto names.
///
/// Idempotent methods answer a replayed key with the first result; a replay whose fields differ
/// is a different request under a reused key and is refused, as payment APIs do, with a message
/// naming what differs (R-A8, R-C5). Only the names are given, never the stored values: the first
/// request may have been someone else's.
public enum FieldDifferences {
    /// The names (snake_case, as in the .proto) of the stored properties of `stored` and `given`
    /// that differ, in declaration order; nested messages count as one field.
    ///
    /// - Parameter ignoring: proto names of fields that may differ between replays (e.g. the
    ///   requester's IP address).
    public static func between<Message>(_ stored: Message, _ given: Message, ignoring: Set<String> = []) -> [String] {
        let storedFields = Mirror(reflecting: stored).children
        let givenFields = Array(Mirror(reflecting: given).children)
        var names: [String] = []
        for (index, field) in storedFields.enumerated() {
            guard let label = field.label, index < givenFields.count else { continue }
            let name = protoName(label)
            if ignoring.contains(name) { continue }
            if String(reflecting: field.value) != String(reflecting: givenFields[index].value) { names.append(name) }
        }
        return names
    }

    /// A Swift property name as the .proto spells the field: `amountFen` → `amount_fen`,
    /// `requesterIP` → `requester_ip`, `itemIds` → `item_ids`.
    public static func protoName(_ property: String) -> String {
        var name = ""
        let characters = Array(property)
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                let previousIsLower = index > 0 && !characters[index - 1].isUppercase
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                let startsWord = previousIsLower || (index > 0 && nextIsLower)
                if startsWord { name.append("_") }
                name.append(contentsOf: character.lowercased())
            } else {
                name.append(character)
            }
        }
        return name
    }
}
