/// A reason the generator cannot produce code, worded for the person who wrote the .proto.
struct ProtogenError: Error, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
