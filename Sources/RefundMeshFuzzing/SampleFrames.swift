import RefundMeshAPI
import RefundMeshWire

/// One frame of every kind, as a real connection carries them, for the frame seeds.
enum SampleFrames {
    static let settings = Frame(
        kind: .settings,
        settings: Settings(
            maxFrameBytes: 4 << 20,
            maxConcurrentCalls: 100,
            initialWindow: 16,
            idleTimeoutMillis: 300_000
        )
    )

    static let call = Frame(
        kind: .call,
        callID: 1,
        method: "/refundmesh.payment.v1.PaymentChannel/ExecuteRefund",
        timeoutMicros: 5_000_000,
        metadata: [
            MetadataEntry(key: "trace-id", value: "4bf92f3577b34da6a3ce929d0e0e4736"),
            MetadataEntry(key: "idempotency-key-bin", binaryValue: [0x00, 0x7F, 0x80, 0xFF]),
        ],
        hasMessage: true,
        message: MessageRoundTrip.encode(SampleMessages.executeRefund),
        endStream: true,
        window: 8
    )

    static let streamingCall = Frame(
        kind: .call,
        callID: 3,
        method: "/refundmesh.intake.v1.Intake/WatchRefund",
        hasMessage: true,
        message: MessageRoundTrip.encode(GetRefundRequest(userID: "u-1", refundID: "r-1")),
        endStream: true,
        window: 4
    )

    static let message = Frame(
        kind: .message,
        callID: 3,
        hasMessage: true,
        message: MessageRoundTrip.encode(SampleMessages.refundView)
    )

    static let emptyMessage = Frame(kind: .message, callID: 5, hasMessage: true, endStream: true)

    static let status = Frame(
        kind: .status,
        callID: 1,
        metadata: [MetadataEntry(key: "server-timing", value: "db;dur=3")],
        hasMessage: true,
        message: MessageRoundTrip.encode(SampleMessages.refundPayment),
        status: Status(code: 0)
    )

    static let errorStatus = Frame(
        kind: .status,
        callID: 7,
        status: Status(
            code: 3,
            message: "refund window closed on 2026-11-20 (R-A4): 15 days after payment",
            details: [
                StatusDetail(
                    typeURL: "type.refundmesh/refundmesh.rpc.v1.ErrorInfo",
                    value: MessageRoundTrip.encode(SampleMessages.errorInfo)
                ),
                StatusDetail(
                    typeURL: "type.refundmesh/refundmesh.rpc.v1.BadRequest",
                    value: MessageRoundTrip.encode(SampleMessages.badRequest)
                ),
            ]
        )
    )

    static let cancel = Frame(kind: .cancel, callID: 9)
    static let window = Frame(kind: .window, callID: 3, window: 16)
    static let ping = Frame(kind: .ping, pingData: 0xDEAD_BEEF_0000_0001)
    static let pong = Frame(kind: .pong, pingData: 0xDEAD_BEEF_0000_0001)

    static let goaway = Frame(
        kind: .goaway,
        status: Status(code: 14, message: "draining: the service is shutting down"),
        lastCallID: 9
    )

    /// A kind from a newer peer: it must round-trip as its number.
    static let unknownKind = Frame(kind: FrameKind(rawValue: 42), callID: 11)

    static let all: [(name: String, frame: Frame)] = [
        ("settings", settings), ("call-unary", call), ("call-streaming", streamingCall), ("message", message),
        ("message-empty", emptyMessage), ("status-ok", status), ("status-error", errorStatus), ("cancel", cancel),
        ("window", window), ("ping", ping), ("pong", pong), ("goaway", goaway), ("unknown-kind", unknownKind),
        ("empty", Frame()),
    ]
}
