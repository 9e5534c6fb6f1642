import NIOCore
import NIOTLS

/// Completes ``handshake`` when the client's TLS handshake finishes, or fails it with an
/// UNAVAILABLE ``RPCError`` (never processed, so the call may go to another endpoint) that says
/// the handshake failed and why (an untrusted certificate, a name
/// mismatch, a server that does not speak TLS). Sits right after the `NIOSSLClientHandler`.
final class TLSHandshakeObserver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let handshake: EventLoopPromise<Void>
    private let endpoint: Endpoint
    private var done = false

    init(handshake: EventLoopPromise<Void>, endpoint: Endpoint) {
        self.handshake = handshake
        self.endpoint = endpoint
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event, !done {
            done = true
            handshake.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A plaintext server answers a ClientHello with bytes that are no TLS record.
        let hint = "\(error)".contains("WRONG_VERSION_NUMBER") ? " (is TLS off on the server?)" : ""
        fail(.neverProcessed("TLS handshake with \(endpoint) failed\(hint): \(error)"))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.neverProcessed("\(endpoint) closed the connection during the TLS handshake; does it speak TLS?"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.neverProcessed("the connection to \(endpoint) closed during the TLS handshake"))
    }

    private func fail(_ error: RPCError) {
        guard !done else { return }
        done = true
        handshake.fail(error)
    }
}
