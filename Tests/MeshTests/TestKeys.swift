import Foundation
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshRPC

#if canImport(Glibc)
import Glibc
#endif

/// The key set of this test run: made once in a temporary folder, given to every service
/// process (`REFUNDMESH_AUTH_DIR`, also set in this process's environment so refundctl and
/// refund-bench started by tests find it), and used by the tests' clients.
enum TestKeys {
    static let keySet: KeySet = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "refundmesh-test-keys-\(UUID().uuidString)"
        )
        let keySet = KeySet(directory: directory)
        do {
            try keySet.create()
        } catch {
            fatalError("cannot make the tests' key set: \(error)")
        }
        setenv("REFUNDMESH_AUTH_DIR", directory.path, 1)
        return keySet
    }()

    static var directory: String { keySet.directory.path }

    static let minter: TokenMinter = {
        do {
            return TokenMinter(keys: try keySet.keyring())
        } catch {
            fatalError("cannot read the tests' key set: \(error)")
        }
    }()

    /// Signs each call in a role its method admits: a user's requests as that user, platform
    /// feeds as the platform, the rest as staff or as the service that would call it.
    static func credentials(subject: String = "mesh-tests") -> KeyringCredentials {
        KeyringCredentials(minter: minter, policy: AccessPolicy.refundMesh, subject: subject)
    }
}
