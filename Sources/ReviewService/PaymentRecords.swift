import RefundMeshAPI
import RefundMeshRPC

/// Where review reads an order's captured payments (R-R3: a duplicate charge is a second one).
public protocol PaymentRecords: Sendable {
    /// The order's captured payments, oldest first.
    /// - Throws: when the records cannot be read (payment-channel down or slow).
    func capturedPayments(orderID: String) async throws -> [CapturedPayment]
}

/// ``PaymentRecords`` from payment-channel's ListPayments.
public struct PaymentChannelRecords: PaymentRecords {
    public let client: PaymentChannel.Client
    /// How long one lookup may take before the case goes to the manual queue instead.
    public var timeout: Duration

    public init(client: PaymentChannel.Client, timeout: Duration = .seconds(3)) {
        self.client = client
        self.timeout = timeout
    }

    public func capturedPayments(orderID: String) async throws -> [CapturedPayment] {
        try await client.listPayments(
            ListPaymentsRequest(orderID: orderID),
            options: CallOptions(timeout: timeout, maxAttempts: 2)
        ).payments
    }
}
