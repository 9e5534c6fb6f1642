import RefundMeshWire

/// Call metadata: request headers and response trailers, as ordered key/value pairs.
///
/// Keys are lower-case ASCII. A key ending in `-bin` carries binary values; every other key
/// carries strings. Keys may repeat, as in gRPC.
public struct Metadata: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Key = String
    public typealias Value = String

    /// One entry's value: a string, or bytes for `-bin` keys.
    public enum EntryValue: Sendable, Hashable {
        case string(String)
        case binary([UInt8])
    }

    public typealias Element = (key: String, value: EntryValue)

    private var entries: [MetadataEntryValue] = []

    private struct MetadataEntryValue: Sendable, Hashable {
        var key: String
        var value: EntryValue
    }

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { addString(value, forKey: key) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Appends a string value; the key is lower-cased.
    public mutating func addString(_ value: String, forKey key: String) {
        entries.append(MetadataEntryValue(key: key.lowercased(), value: .string(value)))
    }

    /// Appends a binary value; the key should end in `-bin`.
    public mutating func addBinary(_ value: [UInt8], forKey key: String) {
        entries.append(MetadataEntryValue(key: key.lowercased(), value: .binary(value)))
    }

    /// Replaces every value of `key` with one string value.
    public mutating func replaceOrAddString(_ value: String, forKey key: String) {
        let key = key.lowercased()
        entries.removeAll { $0.key == key }
        entries.append(MetadataEntryValue(key: key, value: .string(value)))
    }

    public mutating func removeAll(forKey key: String) {
        let key = key.lowercased()
        entries.removeAll { $0.key == key }
    }

    /// The first string value of `key`.
    public subscript(key: String) -> String? {
        // Keys are almost always written lower-case already: skip the copy then.
        let key =
            key.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? key.lowercased() : key
        for entry in entries where entry.key == key {
            if case .string(let value) = entry.value { return value }
        }
        return nil
    }

    /// Every string value of `key`, in order.
    public func strings(forKey key: String) -> [String] {
        let key = key.lowercased()
        return entries.compactMap { entry in
            guard entry.key == key, case .string(let value) = entry.value else { return nil }
            return value
        }
    }

    public func makeIterator() -> some IteratorProtocol<Element> {
        entries.lazy.map { (key: $0.key, value: $0.value) }.makeIterator()
    }

    /// Appends every entry of `other`.
    public mutating func merge(_ other: Metadata) {
        entries.append(contentsOf: other.entries)
    }
}

extension Metadata {
    /// The wire form.
    package var wireEntries: [MetadataEntry] {
        entries.map { entry in
            switch entry.value {
            case .string(let value): return MetadataEntry(key: entry.key, value: value)
            case .binary(let value): return MetadataEntry(key: entry.key, binaryValue: value)
            }
        }
    }

    /// From the wire form; `-bin` keys read their binary value.
    package init(wireEntries: [MetadataEntry]) {
        self.init()
        for entry in wireEntries {
            if entry.key.hasSuffix("-bin") {
                addBinary(entry.binaryValue, forKey: entry.key)
            } else {
                addString(entry.value, forKey: entry.key)
            }
        }
    }
}
