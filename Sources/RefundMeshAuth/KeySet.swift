import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder of signing keys and the trust file that goes with them: what `refundctl keys`
/// makes and rotates, what each service reads (its own `<service>.key` and `trusted-keys`),
/// and what tools and tests sign with.
///
/// The standard issuers: one per service (granting that service's role), `platform` (granting
/// `platform` and `user`: the platform's back end and the front end that signs users in) and
/// `staff` (granting `reviewer` and `operator`: the staff sign-on).
public struct KeySet: Sendable {
    public static let trustFileName = "trusted-keys"

    /// Every standard issuer with the roles its key may grant.
    public static let standardIssuers: [(issuer: String, grants: Set<Role>)] =
        Role.services.map { ($0.rawValue, [$0]) } + [
            ("platform", [.platform, .user]), ("staff", [.reviewer, .operator]),
        ]

    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public var trustFile: URL { directory.appendingPathComponent(Self.trustFileName) }
    public func keyFile(issuer: String) -> URL { directory.appendingPathComponent("\(issuer).key") }

    /// Makes a key for each issuer that has none and trusts it; keeps what exists, so running
    /// it again changes nothing.
    /// - Returns: the issuers that got a new key.
    @discardableResult
    public func create(issuers: [(issuer: String, grants: Set<Role>)] = KeySet.standardIssuers) throws -> [String] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var trust = FileManager.default.fileExists(atPath: trustFile.path) ? try readTrust() : TrustStore()
        var created: [String] = []
        for (issuer, grants) in issuers where !FileManager.default.fileExists(atPath: keyFile(issuer: issuer).path) {
            let key = SigningKey.generate(issuer: issuer)
            try write(key)
            trust.insert(TrustedKey(keyID: key.keyID, issuer: issuer, grants: grants, publicKey: key.publicKey))
            created.append(issuer)
        }
        try writeTrust(trust)
        return created
    }

    /// Rotation, step 1 and 2: a new key for `issuer` is trusted beside the old one and becomes
    /// the one it signs with. The old key stays trusted until ``retire(keyID:)``.
    /// - Returns: the old and the new key id.
    @discardableResult
    public func rotate(issuer: String) throws -> (old: String, new: String) {
        let current = try SigningKey(contentsOfFile: keyFile(issuer: issuer).path)
        var trust = try readTrust()
        guard let grants = trust[current.keyID]?.grants else {
            throw KeyFileError(path: trustFile.path, problem: "does not trust \(issuer)'s current key \(current.keyID)")
        }
        let next = SigningKey.generate(issuer: issuer)
        trust.insert(TrustedKey(keyID: next.keyID, issuer: issuer, grants: grants, publicKey: next.publicKey))
        // Trust first, then sign: a token of the new key is never sent before it is trusted here.
        try writeTrust(trust)
        try write(next)
        return (current.keyID, next.keyID)
    }

    /// Rotation, step 3: stops trusting `keyID`.
    public func retire(keyID: String) throws {
        var trust = try readTrust()
        guard let key = trust.remove(keyID: keyID) else {
            throw KeyFileError(path: trustFile.path, problem: "does not trust a key \(keyID)")
        }
        if let current = try? SigningKey(contentsOfFile: keyFile(issuer: key.issuer).path), current.keyID == keyID {
            throw KeyFileError(
                path: keyFile(issuer: key.issuer).path,
                problem: "\(keyID) is still the key \(key.issuer) signs with; rotate it first"
            )
        }
        try writeTrust(trust)
    }

    /// Copies each service's own key and the trust file into that service's folder in
    /// `targets` (service name → folder): what each service's container mounts, so that none of
    /// them holds another's private key (docker-compose's per-service auth volumes). Run after
    /// every change.
    public func export(to targets: [String: URL]) throws {
        let trust = try readTrust()
        for (service, directory) in targets.sorted(by: { $0.key < $1.key }) {
            let key = try SigningKey(contentsOfFile: keyFile(issuer: service).path)
            let folder = KeySet(directory: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try folder.write(key)
            try folder.writeTrust(trust)
            try exportTLS(service: service, to: directory.appendingPathComponent("tls"))
        }
    }

    /// The CA certificate and the service's own certificate and key, when the set has TLS
    /// material (`tls/`, ``TLSMaterial`` in RefundMeshHosting).
    private func exportTLS(service: String, to folder: URL) throws {
        let source = directory.appendingPathComponent("tls")
        let names = ["ca.pem", "\(service).pem", "\(service).key"]
        guard names.allSatisfy({ FileManager.default.fileExists(atPath: source.appendingPathComponent($0).path) })
        else {
            return
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in names {
            let data = try Data(contentsOf: source.appendingPathComponent(name))
            let temporary = folder.appendingPathComponent(".\(name).\(UUID().uuidString)")
            let mode = name.hasSuffix(".key") ? 0o600 : 0o644
            guard
                FileManager.default.createFile(
                    atPath: temporary.path,
                    contents: data,
                    attributes: [.posixPermissions: mode]
                )
            else { throw KeyFileError(path: temporary.path, problem: "cannot be written") }
            guard rename(temporary.path, folder.appendingPathComponent(name).path) == 0 else {
                throw KeyFileError(
                    path: folder.appendingPathComponent(name).path,
                    problem: "cannot be replaced (errno \(errno))"
                )
            }
        }
    }

    public func readTrust() throws -> TrustStore {
        try TrustStore(contentsOfFile: trustFile.path)
    }

    /// Every `*.key` in the folder with the roles the trust file lets it grant: a tool's keyring.
    public func keyring() throws -> TokenMinter.Keyring {
        let trust = try readTrust()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".key") }
        return try names.sorted().compactMap { name in
            let key = try SigningKey(contentsOfFile: directory.appendingPathComponent(name).path)
            return trust[key.keyID].map { (key, $0.grants) }
        }
    }

    /// Writes atomically (a reader sees the old or the new file, never half of one).
    private func writeTrust(_ trust: TrustStore) throws {
        try Data(trust.fileText.utf8).write(to: trustFile, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: trustFile.path)
    }

    private func write(_ key: SigningKey) throws {
        let url = keyFile(issuer: key.issuer)
        let temporary = directory.appendingPathComponent(".\(key.issuer).key.\(UUID().uuidString)")
        guard
            FileManager.default.createFile(
                atPath: temporary.path,
                contents: Data(key.fileText.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else {
            throw KeyFileError(path: temporary.path, problem: "cannot be written")
        }
        // rename(2) replaces the old key atomically: a service rereading it never sees none.
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw KeyFileError(path: url.path, problem: "cannot be replaced (errno \(errno))")
        }
    }
}
