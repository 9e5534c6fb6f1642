import Foundation
import RefundMeshRPC

extension HostConfiguration {
    /// TLS between the services, from the environment (docs/PROTOCOL.md, "TLS"):
    ///
    /// - `REFUNDMESH_TLS=on|off`: off by default (the embedded local run); on in compose.
    /// - `<SERVICE>_TLS_CERT_FILE`, `<SERVICE>_TLS_KEY_FILE`: this service's PEM certificate
    ///   chain and key; served to clients, and presented to peers with mutual TLS.
    /// - `REFUNDMESH_TLS_CA_FILE`: the PEM CA certificates trusted in both directions.
    /// - `REFUNDMESH_TLS_CLIENT_AUTH=require|none`: `require` makes it mutual: servers refuse
    ///   clients without a certificate from the CA, and clients present theirs. Default none.
    ///
    /// ``TLSMaterial`` makes a matching set of files.
    public struct TLS: Sendable, Equatable {
        public var certificateFile: String
        public var keyFile: String
        public var caFile: String
        public var requireClientCertificate: Bool

        public init(certificateFile: String, keyFile: String, caFile: String, requireClientCertificate: Bool = false) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.caFile = caFile
            self.requireClientCertificate = requireClientCertificate
        }

        /// The service's server side.
        public var server: RPCTLS {
            .server(
                certificateChainFile: certificateFile,
                privateKeyFile: keyFile,
                trustRootsFile: caFile,
                requireClientCertificate: requireClientCertificate
            )
        }

        /// The service's clients to its peers (and its own healthcheck): servers must chain to
        /// the CA and carry the host name they are reached by; with mutual TLS the service
        /// presents its own certificate.
        public var client: RPCTLS {
            .client(
                trustRootsFile: caFile,
                certificateChainFile: requireClientCertificate ? certificateFile : nil,
                privateKeyFile: requireClientCertificate ? keyFile : nil
            )
        }
    }

    /// Reads the TLS variables for the service with environment prefix `prefix`; nil when TLS
    /// is off.
    /// - Throws: ``HostConfigurationError`` naming the variable that is malformed, or missing
    ///   while `REFUNDMESH_TLS=on`, or names a file that cannot be read.
    public static func tls(prefix: String, environment: [String: String]) throws -> TLS? {
        let clientAuth = environment["REFUNDMESH_TLS_CLIENT_AUTH"].map { $0.lowercased() } ?? ""
        guard ["", "require", "none"].contains(clientAuth) else {
            throw HostConfigurationError(
                variable: "REFUNDMESH_TLS_CLIENT_AUTH",
                value: environment["REFUNDMESH_TLS_CLIENT_AUTH"] ?? "",
                expected: "require or none"
            )
        }
        switch environment["REFUNDMESH_TLS"]?.lowercased() ?? "" {
        case "", "off": return nil
        case "on": break
        default:
            throw HostConfigurationError(
                variable: "REFUNDMESH_TLS",
                value: environment["REFUNDMESH_TLS"] ?? "",
                expected: "on or off"
            )
        }
        func file(_ variable: String, _ what: String) throws -> String {
            guard let path = environment[variable], !path.isEmpty else {
                throw HostConfigurationError(
                    variable: variable,
                    value: "",
                    expected: "the path of \(what); REFUNDMESH_TLS=on needs it"
                )
            }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw HostConfigurationError(variable: variable, value: path, expected: "a readable file with \(what)")
            }
            return path
        }
        return TLS(
            certificateFile: try file("\(prefix)_TLS_CERT_FILE", "this service's PEM certificate chain"),
            keyFile: try file("\(prefix)_TLS_KEY_FILE", "this service's PEM private key"),
            caFile: try file("REFUNDMESH_TLS_CA_FILE", "the PEM CA certificates the services trust"),
            requireClientCertificate: clientAuth == "require"
        )
    }
}
