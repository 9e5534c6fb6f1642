import Foundation
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshRPC

/// The key set of this test run: made once in a temporary folder, given to every process a test
/// starts (`REFUNDMESH_AUTH_DIR` in the environment it is started with), and used by the tests'
/// clients. Never `setenv`: glibc's environment is not thread-safe, and `Process.run()` on
/// another test's thread copies it while it would be rewritten (a SIGSEGV in CI).
enum TestKeys {
    static let keySet: KeySet = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "refundmesh-test-keys-\(UUID().uuidString)"
        )
        let keySet = KeySet(directory: directory)
        // The processes tests start read it until they stop, so it goes when the test process ends.
        atexit { try? FileManager.default.removeItem(at: TestKeys.keySet.directory) }
        do {
            try keySet.create()
        } catch {
            fatalError("cannot make the tests' key set: \(error)")
        }
        return keySet
    }()

    static var directory: String { keySet.directory.path }

    /// This process's environment with the tests' key set named: for the tools tests run.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["REFUNDMESH_AUTH_DIR"] = directory
        return environment
    }

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
