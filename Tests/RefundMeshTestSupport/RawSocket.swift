#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking loopback TCP socket for tests that speak to a server byte by byte.
public final class RawSocket {
    private let fd: Int32
    /// Whether a read has seen the peer's end of the stream (or a reset).
    public private(set) var sawEndOfStream = false
    /// How the last read that stopped ended, for a failing test's message: "end of stream",
    /// "reset", "timed out" or the errno.
    public private(set) var lastReadEnd = "not ended"

    /// Connects to 127.0.0.1:`port`; reads time out after `timeoutSeconds`.
    /// - Parameters:
    ///   - sourceAddress: the local address to connect from, e.g. "127.0.0.2" (Linux routes all
    ///     of 127.0.0.0/8 to loopback), so a test can be a different peer than its clients.
    ///   - receiveBufferBytes: a small kernel receive buffer, for tests of a peer that stops
    ///     reading (set before connecting, so the window stays small).
    public init(
        port: Int,
        timeoutSeconds: Int = 5,
        sourceAddress: String? = nil,
        receiveBufferBytes: Int? = nil
    ) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RawSocketError(message: "socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBufferBytes.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let sourceAddress {
            var local = Self.address(sourceAddress, port: 0)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                close(fd)
                throw RawSocketError(message: "bind(\(sourceAddress)) failed: errno \(errno)")
            }
        }
        var address = Self.address("127.0.0.1", port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw RawSocketError(message: "connect() failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    private static func address(_ ip: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(ip)
        return address
    }

    /// Ends the connection in both directions now (the descriptor is released on deinit).
    public func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Sends every byte; throws when the peer has closed or reset the connection (no SIGPIPE).
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw RawSocketError(message: "send() failed: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads until the peer closes or the timeout passes; returns what arrived.
    public func readUntilClosed(limit: Int = 1 << 20) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno == ECONNRESET) { sawEndOfStream = true }
            if count <= 0 {
                lastReadEnd = Self.describeEnd(count: count, errno: errno)
                break
            }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    private static func describeEnd(count: Int, errno: Int32) -> String {
        if count == 0 { return "end of stream" }
        switch errno {
        case ECONNRESET: return "reset"
        case EAGAIN, EWOULDBLOCK: return "timed out"
        default: return "errno \(errno)"
        }
    }

    /// What has arrived so far, without waiting; sets ``sawEndOfStream`` when the peer is gone.
    public func readAvailable() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count == 0 || (count < 0 && errno == ECONNRESET) { sawEndOfStream = true }
            if count <= 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }
}

public struct RawSocketError: Error {
    public let message: String
}
