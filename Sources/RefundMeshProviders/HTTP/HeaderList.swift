/// Headers as any HTTP server hands them over: `[(name, value)]`, names case-insensitive.
public typealias ProviderHeaders = [(String, String)]

extension Array where Element == (String, String) {
    /// The first value of the header `name` (case-insensitive), if present.
    func firstValue(_ name: String) -> String? {
        let lowered = name.lowercased()
        return first { $0.0.lowercased() == lowered }?.1
    }

    /// The value of `name`, or a ``SignatureVerificationError`` naming the missing header.
    func requiredValue(_ name: String) throws(SignatureVerificationError) -> String {
        guard let value = firstValue(name), !value.isEmpty else {
            throw SignatureVerificationError(code: .missingField, field: name, message: "header \(name) is missing")
        }
        return value
    }
}
