import Foundation
import RefundMeshHosting
import SwiftASN1
import Testing
import X509

@Suite("TLSMaterial: a CA and per-service certificates as PEM files")
struct TLSMaterialTests {
    @Test("writes ca.pem and per service <service>.pem and a 0600 <service>.key; the leaf names the service")
    func generate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        let files = try TLSMaterial.generate(
            services: ["intake", "payment-channel"],
            into: directory.appendingPathComponent("nested"),
            validity: .seconds(86_400),
            now: now
        )
        #expect(files.caCertificate.lastPathComponent == "ca.pem")
        #expect(files.certificates["payment-channel"]?.lastPathComponent == "payment-channel.pem")
        #expect(files.privateKeys["intake"]?.lastPathComponent == "intake.key")
        for key in files.privateKeys.values {
            let attributes = try FileManager.default.attributesOfItem(atPath: key.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(key.path)")
        }

        let ca = try Certificate(pemEncoded: String(contentsOf: files.caCertificate, encoding: .utf8))
        let leaf = try Certificate(
            pemEncoded: String(contentsOf: files.certificates["payment-channel"]!, encoding: .utf8)
        )
        #expect(leaf.issuer == ca.subject)
        #expect(leaf.notValidAfter.timeIntervalSince(now) > 86_000)
        let names = try #require(try leaf.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("payment-channel")))
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        // The key belongs to the certificate.
        let key = try Certificate.PrivateKey(
            pemEncoded: String(contentsOf: files.privateKeys["payment-channel"]!, encoding: .utf8)
        )
        #expect(key.publicKey == leaf.publicKey)

        // The environment it describes turns TLS on for a service.
        let settings = try HostConfiguration(
            serviceName: "intake",
            defaultPort: 7001,
            environment: files.environment(mutual: true)
        )
        #expect(
            settings.tls
                == HostConfiguration.TLS(
                    certificateFile: files.certificates["intake"]!.path,
                    keyFile: files.privateKeys["intake"]!.path,
                    caFile: files.caCertificate.path,
                    requireClientCertificate: true
                )
        )
    }

    @Test("a service name that cannot be a DNS name is refused")
    func badName() {
        #expect(throws: TLSMaterialError.self) {
            try TLSMaterial.generate(services: ["no spaces"], into: FileManager.default.temporaryDirectory)
        }
    }
}

@Suite("HostConfiguration: TLS settings")
struct HostConfigurationTLSTests {
    @Test("TLS is off by default and with REFUNDMESH_TLS=off; on needs every file, and the error names the variable")
    func tlsSettings() throws {
        #expect(try HostConfiguration(serviceName: "review", defaultPort: 7002, environment: [:]).tls == nil)
        #expect(
            try HostConfiguration(serviceName: "review", defaultPort: 7002, environment: ["REFUNDMESH_TLS": "off"]).tls
                == nil
        )
        #expect(
            throws: HostConfigurationError(
                variable: "REVIEW_TLS_CERT_FILE",
                value: "",
                expected: "the path of this service's PEM certificate chain; REFUNDMESH_TLS=on needs it"
            )
        ) {
            _ = try HostConfiguration(serviceName: "review", defaultPort: 7002, environment: ["REFUNDMESH_TLS": "on"])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try TLSMaterial.generate(services: ["review"], into: directory)
        var environment = files.environment()
        environment["REFUNDMESH_TLS_CA_FILE"] = nil
        let missingCA = #expect(throws: HostConfigurationError.self) {
            _ = try HostConfiguration(serviceName: "review", defaultPort: 7002, environment: environment)
        }
        #expect(missingCA?.variable == "REFUNDMESH_TLS_CA_FILE")
        environment["REFUNDMESH_TLS_CA_FILE"] = directory.appendingPathComponent("absent.pem").path
        let absent = #expect(throws: HostConfigurationError.self) {
            _ = try HostConfiguration(serviceName: "review", defaultPort: 7002, environment: environment)
        }
        #expect(absent?.variable == "REFUNDMESH_TLS_CA_FILE")
        #expect(absent?.description.contains("absent.pem") == true)

        let bad = #expect(throws: HostConfigurationError.self) {
            _ = try HostConfiguration(
                serviceName: "review",
                defaultPort: 7002,
                environment: ["REFUNDMESH_TLS": "yes"]
            )
        }
        #expect(bad?.variable == "REFUNDMESH_TLS")
        let badAuth = #expect(throws: HostConfigurationError.self) {
            _ = try HostConfiguration(
                serviceName: "review",
                defaultPort: 7002,
                environment: ["REFUNDMESH_TLS_CLIENT_AUTH": "optional"]
            )
        }
        #expect(badAuth?.variable == "REFUNDMESH_TLS_CLIENT_AUTH")

        // One-way TLS: the server presents its certificate; clients present none.
        let oneWay = try #require(
            try HostConfiguration(serviceName: "review", defaultPort: 7002, environment: files.environment()).tls
        )
        #expect(oneWay.server.certificateChainFile == files.certificates["review"]!.path)
        #expect(!oneWay.server.requireClientCertificate)
        #expect(oneWay.client.trustRootsFile == files.caCertificate.path)
        #expect(oneWay.client.certificateChainFile == nil)
        // Mutual: clients present the service's own certificate.
        let mutual = try #require(
            try HostConfiguration(
                serviceName: "review",
                defaultPort: 7002,
                environment: files.environment(mutual: true)
            )
            .tls
        )
        #expect(mutual.server.requireClientCertificate)
        #expect(mutual.client.certificateChainFile == files.certificates["review"]!.path)
        #expect(mutual.client.privateKeyFile == files.privateKeys["review"]!.path)
    }

    @Test("PeerDirectory's clients get the service's TLS")
    func peerClients() throws {
        let tls = HostConfiguration.TLS(certificateFile: "/c.pem", keyFile: "/k.pem", caFile: "/ca.pem")
        let peers = try PeerDirectory(peers: ["review"], environment: [:], tls: tls)
        #expect(peers.tls == tls)
        #expect(try PeerDirectory(peers: ["review"], environment: [:]).tls == nil)
    }
}
