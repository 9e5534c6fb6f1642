import ArgumentParser
import RefundMeshAPI
import RefundMeshRPC

/// One client per service of the mesh.
struct MeshClients {
    let rpc: [String: RPCClient]

    init(_ addresses: MeshAddresses) throws {
        var rpc: [String: RPCClient] = [:]
        for (name, address) in addresses.all {
            guard let endpoint = Endpoint(address) else {
                throw ValidationError("--\(name) \"\(address)\" is not host:port")
            }
            var configuration = RPCClient.Configuration(endpoints: [endpoint])
            configuration.defaultTimeout = .seconds(10)
            configuration.maxFrameBytes = 32 << 20
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
