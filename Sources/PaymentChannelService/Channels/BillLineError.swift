/// A provider bill line that lacks a field reconciliation needs.
public struct BillLineError: Error, CustomStringConvertible, Equatable {
    public var provider: String
    public var refundNo: String
    public var field: String

    public var description: String {
        "\(provider) bill line of refund \(refundNo) has no usable \(field); fetch the bill again or check the format"
    }
}
