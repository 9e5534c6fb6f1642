import Crypto
import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Certificates for TLS between the services in tests, local runs and docker-compose: a CA, and
/// for each service a certificate the CA signed, written as PEM files.
///
/// Each service certificate names the service (the host name peers use in compose),
/// `localhost` and 127.0.0.1/::1, and serves both as a server certificate and, with mutual TLS,
/// as the client certificate the service presents to its peers. Keys are P-256.
///
/// The CA's own key is not kept: nobody can mint another certificate from these files, and
/// adding a service means generating the set again. For production, use certificates from your
/// own CA in the same layout (``HostConfiguration/TLS``).
public enum TLSMaterial {
    /// The files ``generate(services:into:validity:now:)`` wrote.
    public struct Files: Sendable, Equatable {
        /// `ca.pem`: the CA certificate every service trusts (`REFUNDMESH_TLS_CA_FILE`).
        public var caCertificate: URL
        /// `<service>.pem` by service name (`<SERVICE>_TLS_CERT_FILE`).
        public var certificates: [String: URL]
        /// `<service>.key` by service name, mode 0600 (`<SERVICE>_TLS_KEY_FILE`).
        public var privateKeys: [String: URL]

        /// The variables that turn TLS on for these services with these files
        /// (``HostConfiguration/TLS``); `mutual` adds `REFUNDMESH_TLS_CLIENT_AUTH=require`.
        public func environment(mutual: Bool = false) -> [String: String] {
            var environment = [
                "REFUNDMESH_TLS": "on",
                "REFUNDMESH_TLS_CA_FILE": caCertificate.path,
                "REFUNDMESH_TLS_CLIENT_AUTH": mutual ? "require" : "none",
            ]
            for (service, file) in certificates {
                environment[HostConfiguration.prefix(for: service) + "_TLS_CERT_FILE"] = file.path
            }
            for (service, file) in privateKeys {
                environment[HostConfiguration.prefix(for: service) + "_TLS_KEY_FILE"] = file.path
            }
            return environment
        }
    }

    /// Makes a CA and one certificate per service, and writes them into `directory` (created if
    /// missing; files of the same names are replaced).
    /// - Parameters:
    ///   - services: service names, e.g. `["intake", "review"]`; each becomes a DNS name in its
    ///     certificate, so use the names peers connect to.
    ///   - validity: how long the certificates are valid from `now` (they also start 5 minutes
    ///     early, for clocks that disagree a little).
    /// - Throws: ``TLSMaterialError`` naming the file or service that failed.
    @discardableResult
    public static func generate(
        services: [String],
        into directory: URL,
        validity: Duration = .seconds(365 * 24 * 3600),
        now: Date = Date()
    ) throws -> Files {
        for service in services where !isDNSName(service) {
            throw TLSMaterialError(
                message: "\"\(service)\" cannot be a certificate's DNS name: use letters, digits, '-' and '.'"
            )
        }
        let notBefore = now.addingTimeInterval(-300)
        let notAfter = now.addingTimeInterval(TimeInterval(validity.components.seconds))
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TLSMaterialError(message: "cannot create \(directory.path): \(error)")
        }

        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let caName = try DistinguishedName {
            OrganizationName("RefundMesh")
            CommonName("RefundMesh services CA")
        }
        let ca = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: caKey.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: caKey
        )
        var files = Files(
            caCertificate: directory.appendingPathComponent("ca.pem"),
            certificates: [:],
            privateKeys: [:]
        )
        try write(try ca.serializeAsPEM().pemString, to: files.caCertificate, mode: 0o644)

        for service in services {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: .init(),
                publicKey: Certificate.PrivateKey(key).publicKey,
                notValidBefore: notBefore,
                notValidAfter: notAfter,
                issuer: caName,
                subject: try DistinguishedName {
                    OrganizationName("RefundMesh")
                    CommonName(service)
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth, .clientAuth])
                    SubjectAlternativeNames([
                        .dnsName(service), .dnsName("localhost"),
                        .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                        .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
                    ])
                },
                issuerPrivateKey: caKey
            )
            let certificateFile = directory.appendingPathComponent("\(service).pem")
            let keyFile = directory.appendingPathComponent("\(service).key")
            try write(try certificate.serializeAsPEM().pemString, to: certificateFile, mode: 0o644)
            try write(key.pemRepresentation, to: keyFile, mode: 0o600)
            files.certificates[service] = certificateFile
            files.privateKeys[service] = keyFile
        }
        return files
    }

    private static func isDNSName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 253
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == ".")
            }
    }

    /// Writes a file created with `mode` from the start, so a key is never readable by others,
    /// not even for a moment; an existing file is replaced.
    private static func write(_ text: String, to url: URL, mode: mode_t) throws {
        _ = unlink(url.path)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else {
            throw TLSMaterialError(message: "cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else {
                throw TLSMaterialError(message: "cannot write \(url.path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        // The umask may have taken bits from `mode`; certificates must stay readable.
        fchmod(fd, mode)
    }
}

/// Certificate material could not be made or written.
public struct TLSMaterialError: Error, CustomStringConvertible, Equatable {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
