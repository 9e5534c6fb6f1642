import RefundMeshAPI
import RefundMeshTestSupport
import RefundMeshWire

/// The message types the message bridge target decodes, chosen by an input's first byte.
///
/// Every service's main requests and responses, the RPC envelope and its error details, and
/// `KitchenSink` (every field kind protobuf-c has: all scalars, floats, oneof, maps). Types that
/// nest others (`CaseDetail`, `CaseEvidence`, `ListDeliveriesResponse`, …) bring their parts
/// with them.
public enum FuzzMessageTypes {
    /// Append only: a corpus file's first byte is an index into this list (modulo its length),
    /// so reordering it would point every committed seed at another type.
    public static let all: [any ProtoMessage.Type] = [
        // RPC envelope and error details (RefundMeshWire)
        Frame.self, Status.self, Settings.self, ErrorInfo.self, BadRequest.self, RetryInfo.self,
        // Every field kind, oneof and maps (refundmesh.testing.v1)
        KitchenSink.self,
        // intake
        RecordOrderRequest.self, Policy.self, PreCheckRequest.self, PreCheckResponse.self,
        SubmitRefundRequest.self, SupplyMaterialsRequest.self, AnswerOfferRequest.self,
        ListRefundsResponse.self, RefundView.self, StatusUpdate.self,
        // review
        FulfillmentFact.self, OpenCaseRequest.self, AddMaterialsRequest.self, DecideCaseRequest.self,
        ReviewCase.self, ListQueueResponse.self, CaseDetail.self, CaseEvidence.self,
        ListCheckpointsResponse.self,
        // payment-channel
        CapturedPayment.self, QuoteRequest.self, RefundQuote.self, ExecuteRefundRequest.self,
        RefundPayment.self, RefundLedger.self, TrialBalanceReport.self, ReconciliationReport.self,
        AlertList.self, ResolveRefundRequest.self,
        // notification
        RefundEvent.self, ListInboxResponse.self, MarkReadRequest.self, ChannelPreferences.self,
        ListDeliveriesResponse.self, Ack.self,
    ]

    /// The type an input whose first byte is `selector` decodes as.
    public static func type(forSelector selector: UInt8) -> any ProtoMessage.Type {
        all[Int(selector) % all.count]
    }

    /// The first byte that selects `type`; nil when the list does not have it.
    public static func selector(for type: any ProtoMessage.Type) -> UInt8? {
        all.firstIndex { $0 == type }.map { UInt8($0) }
    }
}
