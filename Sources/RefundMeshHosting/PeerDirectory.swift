import Logging
import RefundMeshAuth
import RefundMeshRPC

/// Where the other services are: `<PEER>_ADDR=host:port[,host:port…]` (e.g. `REVIEW_ADDR`,
/// `PAYMENT_CHANNEL_ADDR`), defaulting to the standard local ports, so the four executables find
/// each other with no settings on one machine and by service name in docker-compose.
public struct PeerDirectory: Sendable {
    /// The standard ports: intake 7001, review 7002, payment-channel 7003, notification 7004.
    public static let defaultPorts = ["intake": 7001, "review": 7002, "payment-channel": 7003, "notification": 7004]

    public private(set) var endpoints: [String: [Endpoint]] = [:]
    /// TLS to the peers (the service's ``HostConfiguration/tls``); nil: plaintext.
    public var tls: HostConfiguration.TLS?

    /// Reads the addresses of `peers` from `environment`.
    /// - Parameter tls: the calling service's TLS settings: peers are verified against its CA,
    ///   and with mutual TLS it presents its own certificate.
    /// - Throws: ``HostConfigurationError`` naming the variable when an address is malformed.
    public init(peers: [String], environment: [String: String], tls: HostConfiguration.TLS? = nil) throws {
        self.tls = tls
        for peer in peers {
            let variable = HostConfiguration.prefix(for: peer) + "_ADDR"
            if let text = environment[variable], !text.isEmpty {
                var list: [Endpoint] = []
                for part in text.split(separator: ",") {
                    guard let endpoint = Endpoint(String(part).trimmingSpaces()) else {
                        throw HostConfigurationError(
                            variable: variable,
                            value: text,
                            expected: "host:port[,host:port…]"
                        )
                    }
                    list.append(endpoint)
                }
                endpoints[peer] = list
            } else {
                endpoints[peer] = [Endpoint(host: "127.0.0.1", port: Self.defaultPorts[peer] ?? 7000)]
            }
        }
    }

    /// Overrides one peer's endpoints (flags, tests).
    public mutating func set(_ peer: String, to list: [Endpoint]) {
        endpoints[peer] = list
    }

    /// One client per peer, round-robin over its endpoints, counting and timing every call
    /// (``RPCClientMetricsInterceptor``), presenting this service's token for that peer, over TLS
    /// when it is on.
    public func clients(logger: Logger, auth: ServiceAuth) -> [String: RPCClient] {
        Dictionary(
            uniqueKeysWithValues: endpoints.map { peer, list in
                var configuration = RPCClient.Configuration(endpoints: list)
                configuration.interceptors = [RPCClientMetricsInterceptor(), auth.credentials(forPeer: peer)]
                configuration.tls = tls?.client
                return (peer, RPCClient(configuration: configuration, logger: logger))
            }
        )
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
