import NIOCore
import NIOSSL

extension RPCTLS {
    /// The server's TLS context; throws an ``RPCError`` naming the file that could not be used.
    func makeServerContext() throws -> NIOSSLContext {
        guard let chainFile = certificateChainFile, let keyFile = privateKeyFile else {
            throw RPCError(
                code: .failedPrecondition,
                message: "a TLS server needs a certificate chain file and a private key file"
            )
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try Self.certificates(chainFile, role: "certificate chain").map { .certificate($0) },
            privateKey: .privateKey(try Self.privateKey(keyFile))
        )
        configuration.minimumTLSVersion = .tlsv12
        if requireClientCertificate {
            // Clients have no host name to check; their chain to the roots is what counts.
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = try trustRoots()
        }
        return try Self.context(configuration)
    }

    /// The client's TLS context; throws an ``RPCError`` naming the file that could not be used.
    func makeClientContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        configuration.trustRoots = try trustRoots()
        if let chainFile = certificateChainFile {
            guard let keyFile = privateKeyFile else {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "the TLS client certificate \(chainFile) needs its private key file too"
                )
            }
            configuration.certificateChain = try Self.certificates(chainFile, role: "certificate chain").map {
                .certificate($0)
            }
            configuration.privateKey = .privateKey(try Self.privateKey(keyFile))
        }
        return try Self.context(configuration)
    }

    /// The name to send as SNI and to check the server's certificate against; nil for an IP
    /// address, which NIOSSL then matches against the certificate's IP entries.
    func serverName(for endpoint: Endpoint) -> String? {
        let name = serverHostname ?? endpoint.host
        let isIPAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        return isIPAddress ? nil : name
    }

    private func trustRoots() throws -> NIOSSLTrustRoots {
        guard let file = trustRootsFile else { return .default }
        return .certificates(try Self.certificates(file, role: "trust roots"))
    }

    private static func certificates(_ file: String, role: String) throws -> [NIOSSLCertificate] {
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(file)
            guard !certificates.isEmpty else {
                throw RPCError(code: .failedPrecondition, message: "no PEM certificate in \(file)")
            }
            return certificates
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(
                code: .failedPrecondition,
                message: "cannot read the TLS \(role) from \(file): \(error)",
                cause: error
            )
        }
    }

    private static func privateKey(_ file: String) throws -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(file: file, format: .pem)
        } catch {
            throw RPCError(
                code: .failedPrecondition,
                message: "cannot read the TLS private key from \(file): \(error)",
                cause: error
            )
        }
    }

    private static func context(_ configuration: TLSConfiguration) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw RPCError(
                code: .failedPrecondition,
                message: "cannot set up TLS (does the private key match the certificate?): \(error)",
                cause: error
            )
        }
    }
}
