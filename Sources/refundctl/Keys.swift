import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshHosting

/// `refundctl keys`: makes, rotates and retires the key set every call is signed with, and
/// mints tokens for other tools (docs/SECURITY.md).
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make, rotate and retire the signing keys; mint a token.",
        subcommands: [Init.self, Rotate.self, Retire.self, List.self, Token.self]
    )

    struct Directory: ParsableArguments {
        @Option(name: .customLong("dir"), help: "The key set's folder (default: REFUNDMESH_AUTH_DIR or ./data/auth).")
        var flag: String?

        @Option(
            name: .customLong("export"),
            help: ArgumentHelp(
                "After the change, copy a service's own key and the trust file into a folder: SERVICE=FOLDER (repeatable; also REFUNDMESH_AUTH_EXPORT_<SERVICE>=FOLDER).",
                valueName: "service=folder"
            )
        )
        var exports: [String] = []

        var keySet: KeySet {
            let path = flag ?? ProcessInfo.processInfo.environment["REFUNDMESH_AUTH_DIR"] ?? "./data/auth"
            return KeySet(directory: URL(fileURLWithPath: path))
        }

        /// The export folders of the flags and of `REFUNDMESH_AUTH_EXPORT_<SERVICE>`
        /// (docker-compose's `keys` service sets one per service volume).
        func exportTargets() throws -> [String: URL] {
            var targets: [String: URL] = [:]
            let environment = ProcessInfo.processInfo.environment
            for role in Role.services {
                let variable =
                    "REFUNDMESH_AUTH_EXPORT_" + role.rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
                if let folder = environment[variable], !folder.isEmpty {
                    targets[role.rawValue] = URL(fileURLWithPath: folder)
                }
            }
            for pair in exports {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, Role.services.contains(Role(parts[0])), !parts[1].isEmpty else {
                    throw ValidationError(
                        "--export \(pair): expected SERVICE=FOLDER with SERVICE one of \(Role.services.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                targets[parts[0]] = URL(fileURLWithPath: parts[1])
            }
            return targets
        }

        func exportIfAsked() throws {
            let targets = try exportTargets()
            guard !targets.isEmpty else { return }
            try keySet.export(to: targets)
            for (service, folder) in targets.sorted(by: { $0.key < $1.key }) {
                print("exported \(service)'s key and the trust file to \(folder.path)")
            }
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key for each service, the platform and staff, and the trust file; keeps existing keys."
        )
        @OptionGroup var directory: Directory
        @Flag(
            help:
                "Also make TLS certificates in <dir>/tls: a CA and one per service and refundctl (kept if ca.pem exists; docs/PROTOCOL.md#tls)."
        )
        var tls = false

        func run() async throws {
            let keySet = directory.keySet
            if tls {
                let folder = keySet.directory.appendingPathComponent("tls")
                if FileManager.default.fileExists(atPath: folder.appendingPathComponent("ca.pem").path) {
                    print("\(folder.path): TLS certificates exist; nothing changed")
                } else {
                    _ = try TLSMaterial.generate(
                        services: Role.services.map(\.rawValue) + ["refundctl"],
                        into: folder,
                        validity: .seconds(397 * 86_400)
                    )
                    print("\(folder.path): a CA and certificates for the services and refundctl (397 days)")
                }
            }
            let created = try keySet.create()
            print(
                created.isEmpty
                    ? "\(keySet.directory.path): every key exists; nothing changed"
                    : "\(keySet.directory.path): new keys for \(created.joined(separator: ", "))"
            )
            try directory.exportIfAsked()
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trust a new key for an issuer beside the old one and sign with it from now on.",
            discussion:
                "Services reread the files within seconds. Retire the old key once no token of it is left (24 h at most)."
        )
        @OptionGroup var directory: Directory
        @Argument(help: "The issuer: intake, review, payment-channel, notification, platform or staff.")
        var issuer: String

        func run() async throws {
            let (old, new) = try directory.keySet.rotate(issuer: issuer)
            print("\(issuer) signs with \(new) now; \(old) is still trusted until `refundctl keys retire \(old)`")
            try directory.exportIfAsked()
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop trusting a key (after rotating away from it).")
        @OptionGroup var directory: Directory
        @Argument(help: "The key id, as `refundctl keys list` shows it.")
        var keyID: String

        func run() async throws {
            try directory.keySet.retire(keyID: keyID)
            print("\(keyID) is no longer trusted")
            try directory.exportIfAsked()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The trusted keys and the roles each may grant.")
        @OptionGroup var directory: Directory

        func run() async throws {
            let trust = try directory.keySet.readTrust()
            for key in trust.keys.values.sorted(by: { ($0.issuer, $0.keyID) < ($1.issuer, $1.keyID) }) {
                print("\(key.keyID)\t\(key.issuer)\t\(key.grants.sorted().map(\.rawValue).joined(separator: ","))")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a token for a role (metadata `authorization: Bearer <token>`).",
            discussion:
                "For other tools and for trying the API by hand. The key set must hold a key that may grant the role."
        )
        @OptionGroup var directory: Directory
        @Option(help: "platform, user, reviewer, operator, or a service's name.")
        var role: String
        @Option(help: "The token's subject: the user id for `user`, a person's id for staff.")
        var subject: String
        @Option(help: "The service it is for (default: every service).")
        var audience: String = AccessToken.anyService
        @Option(help: "Lifetime in seconds (at most 86400).")
        var lifetime: Int64 = 600

        func run() async throws {
            guard (1...AccessToken.maxLifetimeSeconds).contains(lifetime) else {
                throw ValidationError("--lifetime must be 1...\(AccessToken.maxLifetimeSeconds) seconds")
            }
            let minter = TokenMinter(keys: try directory.keySet.keyring(), lifetimeSeconds: lifetime)
            print(try minter.token(subject: subject, role: Role(role), audience: audience))
        }
    }
}
