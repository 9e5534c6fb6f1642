import Foundation
import RefundMeshHosting
import RefundMeshRPC
import RefundMeshTestSupport
import Testing

/// TLS between client and server, with certificates from ``TLSMaterial`` in a temporary folder.
@Suite("TLS and mutual TLS")
struct TLSTests {
    /// A CA and a certificate for "rpc-test" (and localhost, 127.0.0.1), removed afterwards.
    private func withMaterial<T>(_ body: (TLSMaterial.Files) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rpc-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try TLSMaterial.generate(
            services: ["rpc-test", "caller"],
            into: directory,
            validity: .seconds(3600)
        )
        return try await body(files)
    }

    private func serverTLS(_ files: TLSMaterial.Files, mutual: Bool = false) -> RPCServer.Configuration {
        var configuration = RPCServer.Configuration()
        configuration.tls = .server(
            certificateChainFile: files.certificates["rpc-test"]!.path,
            privateKeyFile: files.privateKeys["rpc-test"]!.path,
            trustRootsFile: files.caCertificate.path,
            requireClientCertificate: mutual
        )
        return configuration
    }

    @Test("a call over TLS round-trips; the server's certificate must carry the configured name")
    func roundTrip() async throws {
        try await withMaterial { files in
            try await withTestServer(services: [TestServiceImplementation()], configuration: serverTLS(files)) {
                _,
                port in
                // 127.0.0.1: matched against the certificate's IP entry.
                let byAddress = makeTestClient(ports: [port]) {
                    $0.tls = .client(trustRootsFile: files.caCertificate.path)
                }
                let sealed = try await TestService.Client(byAddress).unary(Ping(id: 1, text: "sealed"))
                #expect(sealed.text == "sealed")
                await byAddress.close()
            }
            // Over 127.0.0.2, which the certificate does not carry, the name is what counts (as
            // in compose, where peers reach each other's container addresses by service name).
            // NIOSSL accepts either a matching name or the connected IP, so over 127.0.0.1 any
            // name would pass.
            var configuration = serverTLS(files)
            configuration.host = "127.0.0.2"
            try await withTestServer(services: [TestServiceImplementation()], configuration: configuration) { _, port in
                let byName = makeTestClient(ports: [port]) {
                    $0.endpoints = [Endpoint(host: "127.0.0.2", port: port)]
                    $0.tls = .client(trustRootsFile: files.caCertificate.path, serverHostname: "rpc-test")
                }
                let named = try await TestService.Client(byName).unary(Ping(id: 2))
                #expect(named.id == 2)
                await byName.close()
                let wrongName = makeTestClient(ports: [port]) {
                    $0.endpoints = [Endpoint(host: "127.0.0.2", port: port)]
                    $0.tls = .client(trustRootsFile: files.caCertificate.path, serverHostname: "intruder")
                }
                let error = await #expect(throws: RPCError.self) {
                    _ = try await TestService.Client(wrongName).unary(Ping(id: 3))
                }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("TLS handshake") == true, "\(String(describing: error))")
                #expect(error?.message.contains("intruder") == true, "\(String(describing: error))")
                await wrongName.close()
            }
        }
    }

    @Test("mutual TLS: a client without a certificate is refused; with one from the CA it is served")
    func mutualTLS() async throws {
        try await withMaterial { files in
            try await withTestServer(
                services: [TestServiceImplementation()],
                configuration: serverTLS(files, mutual: true)
            ) { _, port in
                let anonymous = makeTestClient(ports: [port]) {
                    $0.tls = .client(trustRootsFile: files.caCertificate.path)
                }
                let error = await #expect(throws: RPCError.self) {
                    _ = try await TestService.Client(anonymous).unary(Ping(id: 1))
                }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("TLS") == true, "\(String(describing: error))")
                #expect(error?.message.contains("CERTIFICATE_REQUIRED") == true, "\(String(describing: error))")
                await anonymous.close()

                let known = makeTestClient(ports: [port]) {
                    $0.tls = .client(
                        trustRootsFile: files.caCertificate.path,
                        certificateChainFile: files.certificates["caller"]!.path,
                        privateKeyFile: files.privateKeys["caller"]!.path
                    )
                }
                let served = try await TestService.Client(known).unary(Ping(id: 2))
                #expect(served.id == 2)
                await known.close()
            }
        }
    }

    @Test("plaintext against TLS fails with an error that says so, either way round; the server goes on serving")
    func plaintextMismatch() async throws {
        try await withMaterial { files in
            try await withTestServer(services: [TestServiceImplementation()], configuration: serverTLS(files)) {
                _,
                port in
                let plaintext = makeTestClient(ports: [port])
                let error = await #expect(throws: RPCError.self) {
                    _ = try await TestService.Client(plaintext).unary(Ping(id: 1))
                }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("TLS") == true, "\(String(describing: error))")
                await plaintext.close()

                let secure = makeTestClient(ports: [port]) {
                    $0.tls = .client(trustRootsFile: files.caCertificate.path)
                }
                let served = try await TestService.Client(secure).unary(Ping(id: 2))
                #expect(served.id == 2)
                await secure.close()
            }
            try await withTestServer(services: [TestServiceImplementation()]) { _, port in
                let secure = makeTestClient(ports: [port]) {
                    $0.tls = .client(trustRootsFile: files.caCertificate.path)
                }
                let error = await #expect(throws: RPCError.self) {
                    _ = try await TestService.Client(secure).unary(Ping(id: 3))
                }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("is TLS off on the server?") == true, "\(String(describing: error))")
                await secure.close()
            }
        }
    }

    @Test("a client that does not trust the server's CA fails with a certificate verification error")
    func untrustedCA() async throws {
        try await withMaterial { files in
            try await withMaterial { otherFiles in
                try await withTestServer(services: [TestServiceImplementation()], configuration: serverTLS(files)) {
                    _,
                    port in
                    let client = makeTestClient(ports: [port]) {
                        $0.tls = .client(trustRootsFile: otherFiles.caCertificate.path)
                    }
                    let error = await #expect(throws: RPCError.self) {
                        _ = try await TestService.Client(client).unary(Ping(id: 1))
                    }
                    #expect(error?.code == .unavailable)
                    #expect(
                        error?.message.contains("CERTIFICATE_VERIFY_FAILED") == true,
                        "\(String(describing: error))"
                    )
                    await client.close()
                }
            }
        }
    }

    @Test("a server whose certificate file is missing does not start, and says which file")
    func missingFile() async throws {
        var configuration = RPCServer.Configuration()
        configuration.tls = .server(
            certificateChainFile: "/nonexistent/cert.pem",
            privateKeyFile: "/nonexistent/key.pem"
        )
        let error = await #expect(throws: RPCError.self) {
            try await withTestServer(services: [], configuration: configuration) { _, _ in }
        }
        #expect(error?.message.contains("/nonexistent/cert.pem") == true, "\(String(describing: error))")
    }
}
