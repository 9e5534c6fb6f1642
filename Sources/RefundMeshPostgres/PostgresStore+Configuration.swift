import Foundation
import PostgresNIO

extension PostgresStore {
    /// Where the database is and how to reach it, usually from a connection string such as
    /// `INTAKE_DATABASE_URL=postgres://intake:secret@db:5432/intake?sslmode=require`.
    public struct Configuration: Sendable {
        /// TLS to the server, as libpq's `sslmode` names it.
        public enum TLSMode: String, Sendable {
            /// Plain TCP (loopback, or a private network).
            case disable
            /// TLS if the server offers it.
            case prefer
            /// TLS, or no connection (the server's certificate is checked against the system's
            /// trust roots).
            case require
        }

        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// Connections the pool keeps at most. Default 10.
        public var maximumConnections: Int
        /// Shown in `pg_stat_activity`, so an operator can tell the services apart.
        public var applicationName: String

        /// Creates a configuration; the defaults suit a server on loopback.
        public init(
            host: String = "127.0.0.1",
            port: Int = 5432,
            username: String,
            password: String? = nil,
            database: String,
            tls: TLSMode = .prefer,
            maximumConnections: Int = 10,
            applicationName: String = "refundmesh"
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
            self.maximumConnections = max(1, maximumConnections)
            self.applicationName = applicationName
        }

        /// Parses a connection string: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`
        /// (`postgresql://` too). User and password may be percent-encoded.
        /// - Throws: ``PostgresStoreError`` with ``PostgresStoreError/Code/invalidConfiguration``,
        ///   naming the part that is wrong (the password is never repeated back).
        public init(url string: String, applicationName: String = "refundmesh") throws {
            func invalid(_ why: String) -> PostgresStoreError {
                PostgresStoreError(
                    code: .invalidConfiguration,
                    message:
                        "database URL: \(why); expected postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require"
                )
            }
            guard let components = URLComponents(string: string) else { throw invalid("not a URL") }
            guard let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased()) else {
                throw invalid("the scheme must be postgres:// or postgresql://")
            }
            guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
            guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
                throw invalid("no user name")
            }
            let database = String(components.path.drop(while: { $0 == "/" }))
            guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name after the host") }
            if let port = components.port, !(1...65535).contains(port) { throw invalid("port \(port) is out of range") }
            var tls = TLSMode.prefer
            for item in components.queryItems ?? [] {
                switch item.name {
                case "sslmode":
                    guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                        throw invalid("sslmode must be disable, prefer or require, not \(item.value ?? "empty")")
                    }
                    tls = mode
                case "application_name": continue
                default: throw invalid("unknown parameter \(item.name)")
                }
            }
            let name = components.queryItems?.first(where: { $0.name == "application_name" })?.value
            self.init(
                host: host,
                port: components.port ?? 5432,
                username: user,
                password: components.percentEncodedPassword?.removingPercentEncoding,
                database: database,
                tls: tls,
                applicationName: name ?? applicationName
            )
        }

        /// postgres-nio's client configuration for this one.
        var client: PostgresClient.Configuration {
            let clientTLS: PostgresClient.Configuration.TLS =
                switch tls {
                case .disable: .disable
                case .prefer: .prefer(.makeClientConfiguration())
                case .require: .require(.makeClientConfiguration())
                }
            var configuration = PostgresClient.Configuration(
                host: host,
                port: port,
                username: username,
                password: password,
                database: database,
                tls: clientTLS
            )
            configuration.options.maximumConnections = maximumConnections
            configuration.options.additionalStartupParameters = [("application_name", applicationName)]
            return configuration
        }
    }
}
