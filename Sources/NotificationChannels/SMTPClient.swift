import NIOCore
import NIOPosix

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per message, EHLO (HELO when the
/// server does not know EHLO), MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT. Multi-line
/// replies are read whole. Every step has a timeout: the connection is closed when a reply does
/// not come in time.
///
/// Left out on purpose: STARTTLS and AUTH. Point it at a local MTA or a relay on a trusted
/// network that accepts this host's mail (docs/NOTIFICATIONS.md).
public struct SMTPClient: Sendable {
    public var host: String
    public var port: Int
    /// The name given in EHLO.
    public var helo: String
    /// Connect timeout and the longest wait for each reply.
    public var timeout: Duration
    public var group: any EventLoopGroup

    public init(
        host: String,
        port: Int,
        helo: String,
        timeout: Duration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.host = host
        self.port = port
        self.helo = helo
        self.timeout = timeout
        self.group = group
    }

    /// Sends one message; returns the server's reply to the end of DATA (250: accepted).
    /// - Parameter data: The message (``SMTPMessage/rendered()``); dot-stuffed here.
    /// - Throws: ``SMTPError``: `.rejected` with the server's reply for a 4xx/5xx answer,
    ///   `.timeout`, `.connect`, `.protocolViolation`.
    public func send(from: String, to recipients: [String], data: String) async throws -> SMTPReply {
        let timeoutAmount = TimeAmount.milliseconds(timeout.wholeMilliseconds)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(timeoutAmount)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError(.connect, "cannot connect to \(host):\(port): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            var session = Session(
                lines: inbound.makeAsyncIterator(),
                outbound: outbound,
                channel: channel.channel,
                timeout: timeoutAmount
            )
            _ = try await session.expect([220], stage: "greeting")
            let ehlo = try await session.command("EHLO \(helo)", expecting: [250], stage: "EHLO", acceptFailure: true)
            if ehlo.code != 250 {
                _ = try await session.command("HELO \(helo)", expecting: [250], stage: "HELO")
            }
            _ = try await session.command("MAIL FROM:<\(from)>", expecting: [250], stage: "MAIL FROM")
            for recipient in recipients {
                _ = try await session.command("RCPT TO:<\(recipient)>", expecting: [250, 251], stage: "RCPT TO")
            }
            _ = try await session.command("DATA", expecting: [354], stage: "DATA")
            try await session.write(SMTPMessage.dotStuffed(data))
            let accepted = try await session.expect([250], stage: "end of DATA")
            // The message is accepted; a failing QUIT changes nothing.
            _ = try? await session.command("QUIT", expecting: [221], stage: "QUIT", acceptFailure: true)
            return accepted
        }
    }

    /// One conversation's reading and writing, with the per-reply timeout.
    private struct Session {
        var lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let channel: any Channel
        let timeout: TimeAmount

        func write(_ text: String) async throws {
            try await outbound.write(ByteBuffer(string: text))
        }

        mutating func command(
            _ line: String,
            expecting codes: Set<Int>,
            stage: String,
            acceptFailure: Bool = false
        ) async throws -> SMTPReply {
            try await write(line + "\r\n")
            return try await expect(codes, stage: stage, acceptFailure: acceptFailure)
        }

        /// Reads one (possibly multi-line) reply; throws `.rejected` unless its code is expected.
        mutating func expect(_ codes: Set<Int>, stage: String, acceptFailure: Bool = false) async throws -> SMTPReply {
            let channel = channel
            let closer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
            defer { closer.cancel() }
            var texts: [String] = []
            while true {
                let next: ByteBuffer?
                do {
                    next = try await lines.next()
                } catch {
                    throw SMTPError(.timeout, "no reply to \(stage) in time (\(error))")
                }
                guard let buffer = next else {
                    throw SMTPError(.timeout, "the server closed the connection or did not reply to \(stage) in time")
                }
                let line = String(buffer: buffer)
                let utf8 = Array(line.utf8)
                guard utf8.count >= 3, let code = Int(String(line.prefix(3))), (200...599).contains(code) else {
                    throw SMTPError(.protocolViolation, "unreadable reply to \(stage): \"\(line.prefix(100))\"")
                }
                texts.append(utf8.count > 4 ? String(line.dropFirst(4)) : "")
                if utf8.count > 3, utf8[3] == UInt8(ascii: "-") { continue }
                let reply = SMTPReply(code: code, lines: texts)
                guard codes.contains(code) || acceptFailure else {
                    throw SMTPError(.rejected, "the server refused \(stage): \(reply)", reply: reply)
                }
                return reply
            }
        }
    }
}

/// One SMTP reply: its code and text lines (several for a multi-line reply).
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// `250 2.0.0 OK` (multi-line replies joined with " / ").
    public var description: String { "\(code) " + lines.joined(separator: " / ") }
}

/// An SMTP conversation that did not end in an accepted message.
public struct SMTPError: Error, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        case connect
        case timeout
        /// The server answered 4xx or 5xx; ``SMTPError/reply`` has it.
        case rejected
        case protocolViolation
    }

    public var code: Code
    public var message: String
    public var reply: SMTPReply?

    public init(_ code: Code, _ message: String, reply: SMTPReply? = nil) {
        self.code = code
        self.message = message
        self.reply = reply
    }

    public var description: String { message }
}
