import ArgumentParser
import Foundation
import RefundMeshAPI
import RefundMeshAuth
import RefundMeshHosting
import RefundMeshRPC

/// One client per service of the mesh, each call signed with the key set's keys in the role the
/// method needs (``KeyringCredentials``): platform feeds as the platform, a user's requests as
/// that user, reviewer and operator commands as `--as`.
struct MeshClients {
    let rpc: [String: RPCClient]

    init(_ addresses: MeshAddresses) throws {
        var interceptors: [any ClientInterceptor] = []
        let keys = KeySet(directory: URL(fileURLWithPath: addresses.keys))
        if FileManager.default.fileExists(atPath: keys.trustFile.path) {
            let keyring: TokenMinter.Keyring
            do {
                keyring = try keys.keyring()
            } catch {
                throw ValidationError("the key set in \(addresses.keys) cannot be read: \(error)")
            }
            interceptors.append(
                KeyringCredentials(
                    minter: TokenMinter(keys: keyring),
                    policy: AccessPolicy.refundMesh,
                    subject: addresses.actor
                )
            )
        }
        // REFUNDMESH_TLS=on with REFUNDCTL_TLS_CERT_FILE/_KEY_FILE and REFUNDMESH_TLS_CA_FILE, as the
        // services read theirs (docs/PROTOCOL.md#tls).
        let tls: HostConfiguration.TLS?
        do {
            tls = try HostConfiguration.tls(prefix: "REFUNDCTL", environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        var rpc: [String: RPCClient] = [:]
        for (name, address) in addresses.all {
            guard let endpoint = Endpoint(address) else {
                throw ValidationError("--\(name) \"\(address)\" is not host:port")
            }
            var configuration = RPCClient.Configuration(endpoints: [endpoint])
            configuration.defaultTimeout = .seconds(10)
            configuration.maxFrameBytes = 32 << 20
            configuration.interceptors = interceptors
            configuration.tls = tls?.client
            rpc[name] = RPCClient(configuration: configuration)
        }
        self.rpc = rpc
    }

    var intake: Intake.Client { Intake.Client(rpc["intake"]!) }
    var review: Review.Client { Review.Client(rpc["review"]!) }
    var payments: PaymentChannel.Client { PaymentChannel.Client(rpc["payment-channel"]!) }
    var notification: RefundMeshAPI.Notification.Client { RefundMeshAPI.Notification.Client(rpc["notification"]!) }

    func close() async {
        for client in rpc.values { await client.close() }
    }
}
