import ArgumentParser
import RefundMeshAPI
import RefundMeshRPC

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check every service's health and version.")

    @OptionGroup var mesh: MeshAddresses

    func run() async throws {
        let clients = try MeshClients(mesh)
        var healthy = true
        for (name, address) in mesh.all {
            let rpc = clients.rpc[name]!
            do {
                let status = try await RefundMeshRPC.Health.Client(rpc).check(
                    HealthCheckRequest(),
                    options: CallOptions(timeout: .seconds(3))
                )
                let listing = try await ServerReflection.Client(rpc).listServices(ListServicesRequest())
                print(
                    "\(name.padding(to: 16)) \(address.padding(to: 22)) \(status.status)  version \(listing.serverVersion)"
                )
                healthy = healthy && status.status == .serving
            } catch {
                print("\(name.padding(to: 16)) \(address.padding(to: 22)) DOWN  \(error)")
                healthy = false
            }
        }
        await clients.close()
        if !healthy { throw ExitCode(1) }
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
