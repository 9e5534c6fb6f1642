import RefundMeshWire

// Constructors for the frames the runtime sends, so each kind is built in one place.
extension Frame {
    static func streamMessage(callID: UInt64, _ bytes: [UInt8]) -> Frame {
        var frame = Frame()
        frame.kind = .message
        frame.callID = callID
        frame.hasMessage = true
        frame.message = bytes
        return frame
    }

    static func halfClose(callID: UInt64) -> Frame {
        var frame = Frame()
        frame.kind = .message
        frame.callID = callID
        frame.endStream = true
        return frame
    }

    static func cancel(callID: UInt64) -> Frame {
        var frame = Frame()
        frame.kind = .cancel
        frame.callID = callID
        return frame
    }

    static func window(callID: UInt64, credits: UInt32) -> Frame {
        var frame = Frame()
        frame.kind = .window
        frame.callID = callID
        frame.window = credits
        return frame
    }

    static func pong(_ data: UInt64) -> Frame {
        var frame = Frame()
        frame.kind = .pong
        frame.pingData = data
        return frame
    }

    /// A STATUS frame for an error, with its details and trailers.
    static func status(callID: UInt64, error: RPCError) -> Frame {
        var frame = Frame()
        frame.kind = .status
        frame.callID = callID
        frame.status = Status(code: error.code.rawValue, message: error.message, details: error.details)
        frame.metadata = error.metadata.wireEntries
        return frame
    }
}
