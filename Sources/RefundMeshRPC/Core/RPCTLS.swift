/// TLS for RPC connections: which certificate this side presents, which certificate
/// authorities it trusts, and whether the server demands a client certificate (mutual TLS).
///
/// Set it on ``RPCServer/Configuration/tls`` and ``RPCClient/Configuration/tls``. With TLS the
/// RPC preface and frames travel inside the TLS session unchanged (docs/PROTOCOL.md, "TLS").
/// Certificates and keys are PEM files, read when the server starts or the client first
/// connects; a file that cannot be read is an error naming it.
public struct RPCTLS: Sendable, Hashable {
    /// PEM certificate chain this side presents, leaf first. Required for a server; for a
    /// client only when the server requires client certificates.
    public var certificateChainFile: String?
    /// PEM private key of the leaf certificate in ``certificateChainFile``.
    public var privateKeyFile: String?
    /// PEM certificates of the authorities that may sign the peer's certificate; nil trusts the
    /// system's roots. A client verifies the server against them; a server that requires client
    /// certificates verifies clients against them.
    public var trustRootsFile: String?
    /// Server: refuse clients that present no certificate signed by ``trustRootsFile``.
    public var requireClientCertificate: Bool
    /// Client: the name the server's certificate must carry (and the SNI name); nil uses the
    /// endpoint's host, and an IP address is matched against the certificate's IP entries.
    public var serverHostname: String?

    public init(
        certificateChainFile: String? = nil,
        privateKeyFile: String? = nil,
        trustRootsFile: String? = nil,
        requireClientCertificate: Bool = false,
        serverHostname: String? = nil
    ) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.trustRootsFile = trustRootsFile
        self.requireClientCertificate = requireClientCertificate
        self.serverHostname = serverHostname
    }

    /// A server's TLS: its certificate and key, and for mutual TLS the roots clients must
    /// chain to.
    public static func server(
        certificateChainFile: String,
        privateKeyFile: String,
        trustRootsFile: String? = nil,
        requireClientCertificate: Bool = false
    ) -> RPCTLS {
        RPCTLS(
            certificateChainFile: certificateChainFile,
            privateKeyFile: privateKeyFile,
            trustRootsFile: trustRootsFile,
            requireClientCertificate: requireClientCertificate
        )
    }

    /// A client's TLS: the roots the server must chain to, and for mutual TLS the certificate
    /// and key this client presents.
    public static func client(
        trustRootsFile: String?,
        certificateChainFile: String? = nil,
        privateKeyFile: String? = nil,
        serverHostname: String? = nil
    ) -> RPCTLS {
        RPCTLS(
            certificateChainFile: certificateChainFile,
            privateKeyFile: privateKeyFile,
            trustRootsFile: trustRootsFile,
            serverHostname: serverHostname
        )
    }
}
