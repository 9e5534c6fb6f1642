import Foundation
import Logging
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshRPC
import ServiceLifecycle
import Synchronization

/// One service's credentials: the verifier for the calls it serves, the key it signs its own
/// calls with, and a watcher that rereads both files when they change, so keys rotate without
/// a restart (docs/SECURITY.md).
public final class ServiceAuth: Sendable {
    public let serviceName: String
    public let keyPath: String
    public let trustPath: String
    public let verifier: TokenVerifier
    public let minter: TokenMinter

    /// Reads the service's key and trust file as ``HostConfiguration`` names them.
    /// - Throws: ``HostConfigurationError`` naming the setting and how to make a key set.
    public init(settings: HostConfiguration) throws {
        let directory = settings.authDirectory ?? settings.dataDirectory + "/auth"
        let prefix = HostConfiguration.prefix(for: settings.serviceName)
        serviceName = settings.serviceName
        keyPath = settings.authKeyFile ?? directory + "/\(settings.serviceName).key"
        trustPath = settings.authTrustFile ?? directory + "/" + KeySet.trustFileName
        let advice =
            "every call is authenticated: make a key set with `refundctl keys init --dir \(directory)` (scripts/run-mesh.sh does), see docs/SECURITY.md"
        let key: SigningKey
        let trust: TrustStore
        do {
            key = try SigningKey(contentsOfFile: keyPath)
        } catch let error as KeyFileError {
            throw HostConfigurationError(
                variable: settings.authKeyFile == nil ? "REFUNDMESH_AUTH_DIR" : "\(prefix)_AUTH_KEY_FILE",
                value: keyPath,
                expected: "this service's signing key (\(error.problem)); \(advice)"
            )
        }
        do {
            trust = try TrustStore(contentsOfFile: trustPath)
        } catch let error as KeyFileError {
            throw HostConfigurationError(
                variable: settings.authTrustFile == nil ? "REFUNDMESH_AUTH_DIR" : "REFUNDMESH_AUTH_TRUST_FILE",
                value: trustPath,
                expected: "the trusted keys (\(error.problem)); \(advice)"
            )
        }
        verifier = TokenVerifier(trust: trust, audience: settings.serviceName)
        minter = TokenMinter(keys: [(key, [Role(settings.serviceName)])])
        _ = stamps.changed(keyPath)
        _ = stamps.changed(trustPath)
    }

    /// The server interceptor that authenticates and authorizes every call.
    public var interceptor: AuthenticationInterceptor {
        AuthenticationInterceptor(verifier: verifier, policy: AccessPolicy.refundMesh)
    }

    /// What this service's calls to `peer` carry.
    public func credentials(forPeer peer: String) -> ServiceCredentials {
        ServiceCredentials(minter: minter, service: Role(serviceName), peer: peer)
    }

    /// Rereads the key and trust files every `interval` when they changed.
    public func watcher(interval: Duration = .seconds(5), logger: Logger) -> some Service {
        PeriodicTask("rereading changed key files", every: interval, logger: logger) { [self] in
            reloadIfChanged(logger: logger)
        }
    }

    private let stamps = SendableStamps()

    /// Applies changed files; a file that no longer reads is logged and the old one kept.
    func reloadIfChanged(logger: Logger) {
        if stamps.changed(trustPath) {
            do {
                let trust = try TrustStore(contentsOfFile: trustPath)
                verifier.replaceTrust(trust)
                logger.notice("trusted keys reloaded", metadata: ["auth.keys": "\(trust.keys.keys.sorted())"])
            } catch {
                logger.error("trusted keys not reloaded; keeping the previous ones", metadata: ["error": "\(error)"])
            }
        }
        if stamps.changed(keyPath) {
            do {
                let key = try SigningKey(contentsOfFile: keyPath)
                minter.replaceKeys([(key, [Role(serviceName)])])
                logger.notice("signing key reloaded", metadata: ["auth.key": "\(key.keyID)"])
            } catch {
                logger.error("signing key not reloaded; keeping the previous one", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Each file's last seen modification time and size.
final class SendableStamps: Sendable {
    private let seen = Mutex<[String: String]>([:])

    /// Whether `path` changed since the last call (false on the first).
    func changed(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp =
            "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)/\(attributes?[.size] as? Int ?? -1)/\(attributes?[.systemFileNumber] as? Int ?? 0)"
        return seen.withLock { seen in
            defer { seen[path] = stamp }
            guard let previous = seen[path] else { return false }
            return previous != stamp
        }
    }
}
