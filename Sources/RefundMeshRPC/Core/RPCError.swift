import RefundMeshWire

/// A call that ended with a status other than OK.
///
/// Thrown by client stubs when the server answers with an error status, and thrown by handlers
/// to answer with one. ``code`` travels on the wire one-to-one, with ``message`` (written for a
/// person: say what was wrong and what to do) and structured ``details``.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    /// Structured details (e.g. `ErrorInfo`, `BadRequest`), as `type_url` + bytes.
    public var details: [StatusDetail]
    /// Trailing metadata that came with the status.
    public var metadata: Metadata
    /// The local error behind this one, if any (never sent on the wire).
    public var cause: (any Error)?

    public init(
        code: StatusCode,
        message: String,
        details: [StatusDetail] = [],
        metadata: Metadata = [:],
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.metadata = metadata
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }

    /// Adds a structured detail message (e.g. ``ErrorInfo``) to ``details``.
    public mutating func addDetail<Detail: ProtoMessage>(_ detail: Detail) {
        if let bytes = try? detail.serializedBytes() {
            details.append(StatusDetail(typeURL: "type.refundmesh/" + Detail.protoMessageName, value: bytes))
        }
    }

    /// The first detail of type `Detail`, decoded; nil when there is none.
    public func detail<Detail: ProtoMessage>(_ type: Detail.Type) -> Detail? {
        let url = "type.refundmesh/" + Detail.protoMessageName
        guard let match = details.first(where: { $0.typeURL == url }) else { return nil }
        return try? Detail(serializedBytes: match.value)
    }
}

/// An error that knows which status it should travel as. Domain errors adopt it so the handler
/// boundary maps them without a catch-all.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError {
    /// The status for any error a handler throws: an ``RPCError`` as is, an
    /// ``RPCErrorConvertible`` as it says, cancellation as CANCELLED, anything else INTERNAL with
    /// a message that points at the server's log instead of leaking internals.
    static func from(_ error: any Error, requestID: String) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as any RPCErrorConvertible:
            return error.rpcError
        case is CancellationError:
            return RPCError(code: .cancelled, message: "the call was cancelled")
        case let error as WireError:
            return RPCError(
                code: .internalError,
                message: "the server could not encode its answer: \(error.message)",
                cause: error
            )
        default:
            return RPCError(
                code: .internalError,
                message: "internal error while handling the call; the server logged it with request id \(requestID)",
                cause: error
            )
        }
    }
}
