import Logging
import Synchronization
import Testing

@testable import RefundMeshTracing

/// TextLogHandler renders metadata only when it writes a line; its lines must still read exactly
/// like swift-log's StreamLogHandler's, which it replaced in the services.
@Suite("TextLogHandler")
struct TextLogHandlerTests {
    private final class Captured: TextOutputStream, @unchecked Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        var value: String { text.withLock { $0 } }
    }

    private struct Refused: Error, CustomStringConvertible {
        var description: String { "the store refused it" }
    }

    @Test(
        "a line is StreamLogHandler's line, after the timestamp: handler, provider, then event metadata, sorted, and the error",
        arguments: [false, true]
    )
    func sameLinesAsStreamLogHandler(withError: Bool) {
        let provider = Logger.MetadataProvider { ["trace.id": "abc123", "rpc.method": "/from/provider"] }
        let captured = Captured()
        var stream = StreamLogHandler(label: "intake", stream: captured, metadataProvider: provider)
        var text = TextLogHandler(label: "intake", metadataProvider: provider)
        for key in ["rpc.method", "request.id", "z.last", "a.first"] {
            stream[metadataKey: key] = "\(key)-value"
            text[metadataKey: key] = "\(key)-value"
        }
        stream[metadataKey: "list"] = ["one", "two"]
        text[metadataKey: "list"] = ["one", "two"]
        let event = LogEvent(
            level: .notice,
            message: "call refused",
            error: withError ? Refused() : nil,
            metadata: ["request.id": "explicit", "peer": .stringConvertible(42)],
            source: "RefundMeshRPC",
            file: #fileID,
            function: #function,
            line: #line
        )
        stream.log(event: event)
        let rendered = TextLogHandler.render(
            event: event,
            label: "intake",
            metadata: text.metadata,
            provided: provider.get(),
            timestamp: "T"
        )
        let afterTimestamp = { (line: String) in line.drop { $0 != " " } }
        #expect(afterTimestamp(rendered) == afterTimestamp(captured.value))
        #expect(rendered.hasPrefix("T notice intake: a.first=a.first-value "))
        #expect(rendered.contains(" rpc.method=/from/provider "))
        #expect(rendered.contains(" request.id=explicit "))
        #expect(rendered.hasSuffix(" [RefundMeshRPC] call refused\n"))
        #expect(rendered.contains("error.message=the store refused it") == withError)
    }
}
