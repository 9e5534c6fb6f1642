import NIOCore
import RefundMeshWire

extension InboundDeadlineHandler {
    /// Follows the framing of a connection's inbound bytes — the preface, then frames of a 4-byte
    /// length and a body — to know when the connection has finished its handshake (preface and
    /// first frame) and when a frame has started but not finished. It only counts and reads
    /// lengths; ``FrameDecoder`` checks the bytes themselves.
    ///
    /// Pure: the handler feeds it bytes and the time, and asks it when to look again and
    /// whether a limit has passed.
    struct StateMachine {
        /// A limit the peer has overrun.
        enum Violation: Equatable {
            /// The preface and a first whole frame did not arrive in time.
            case handshakeTimeout(timeout: Duration, bytesReceived: Int)
            /// A frame's first byte arrived but the frame was not complete in time.
            case frameTimeout(timeout: Duration, bytesOfFrame: Int, frameLength: Int?)

            /// For the GOAWAY and the log: what happened and which limit it was.
            var message: String {
                switch self {
                case .handshakeTimeout(let timeout, let bytes):
                    return "handshake timeout: the connection did not send the preface and a first frame within "
                        + "\(timeout) (\(bytes) bytes arrived)"
                case .frameTimeout(let timeout, let bytes, let length):
                    let of = length.map { " of \(4 + $0)" } ?? ""
                    return "slow sender: a frame was not complete \(timeout) after its first byte "
                        + "(\(bytes)\(of) bytes arrived)"
                }
            }

            /// The ``RPCServer/Limits`` property that was overrun, for the log's `rpc.limit`.
            var limit: String {
                switch self {
                case .handshakeTimeout: return "handshakeTimeout"
                case .frameTimeout: return "frameTimeout"
                }
            }
        }

        private enum Position {
            case preface(received: Int)
            case length(received: Int, value: UInt32)
            case body(received: Int, length: Int)
        }

        private let handshakeTimeout: Duration
        private let frameTimeout: Duration
        private let handshakeDeadline: NIODeadline?
        private var position = Position.preface(received: 0)
        private var handshakeComplete = false
        private var frameStartedAt: NIODeadline?
        private var bytesReceived = 0

        /// - Parameters:
        ///   - connectedAt: when the connection was accepted; the handshake timeout counts from here.
        ///   - handshakeTimeout: zero for no limit.
        ///   - frameTimeout: zero for no limit.
        init(connectedAt: NIODeadline, handshakeTimeout: Duration, frameTimeout: Duration) {
            self.handshakeTimeout = handshakeTimeout
            self.frameTimeout = frameTimeout
            self.handshakeDeadline = handshakeTimeout > .zero ? connectedAt + .init(handshakeTimeout) : nil
        }

        /// Whether the preface and a first whole frame have arrived.
        var isHandshakeComplete: Bool { handshakeComplete }

        /// Accounts for bytes as they arrive, in order.
        mutating func received(_ bytes: ByteBufferView, at now: NIODeadline) {
            bytesReceived += bytes.count
            var index = bytes.startIndex
            while index < bytes.endIndex {
                let available = bytes.endIndex - index
                switch position {
                case .preface(let received):
                    let taken = min(RPCPreface.count - received, available)
                    index += taken
                    position =
                        received + taken == RPCPreface.count
                        ? .length(received: 0, value: 0) : .preface(received: received + taken)
                case .length(let received, let value):
                    if received == 0 { frameStartedAt = now }
                    let value = value << 8 | UInt32(bytes[index])
                    index += 1
                    if received + 1 < 4 {
                        position = .length(received: received + 1, value: value)
                    } else if value == 0 {
                        frameCompleted()
                    } else {
                        position = .body(received: 0, length: Int(value))
                    }
                case .body(let received, let length):
                    let taken = min(length - received, available)
                    index += taken
                    if received + taken == length {
                        frameCompleted()
                    } else {
                        position = .body(received: received + taken, length: length)
                    }
                }
            }
        }

        private mutating func frameCompleted() {
            position = .length(received: 0, value: 0)
            frameStartedAt = nil
            handshakeComplete = true
        }

        /// When a limit would next pass if nothing more arrives; nil when none is pending.
        var nextDeadline: NIODeadline? {
            let handshake = handshakeComplete ? nil : handshakeDeadline
            let frame = frameTimeout > .zero ? frameStartedAt.map { $0 + .init(frameTimeout) } : nil
            switch (handshake, frame) {
            case (let a?, let b?): return min(a, b)
            case (let a?, nil): return a
            case (nil, let b?): return b
            case (nil, nil): return nil
            }
        }

        /// The limit the peer has overrun by `now`, if any.
        func violation(at now: NIODeadline) -> Violation? {
            if !handshakeComplete, let deadline = handshakeDeadline, now >= deadline {
                return .handshakeTimeout(timeout: handshakeTimeout, bytesReceived: bytesReceived)
            }
            if frameTimeout > .zero, let started = frameStartedAt, now >= started + .init(frameTimeout) {
                switch position {
                case .length(let received, _):
                    return .frameTimeout(timeout: frameTimeout, bytesOfFrame: received, frameLength: nil)
                case .body(let received, let length):
                    return .frameTimeout(timeout: frameTimeout, bytesOfFrame: 4 + received, frameLength: length)
                case .preface:
                    return nil
                }
            }
            return nil
        }
    }
}
