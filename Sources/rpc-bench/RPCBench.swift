import ArgumentParser
import NIOCore
import NIOPosix

/// `rpc-bench`: the echo benchmark of the RPC layer, with the same flags and output as
/// ../shared/anchors/grpc-echo so the two can be run side by side (docs/PERFORMANCE.md).
@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench",
        abstract: "Echo benchmark for the RefundMesh RPC layer.",
        subcommands: [Serve.self, Load.self]
    )
}

/// How Swift tasks are scheduled in the benchmark processes.
enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
    /// NIO's event loops run every Swift task (what RefundMesh's executables do).
    case nio
    /// Swift's default cooperative pool; the event loops only do I/O.
    case `default`

    func install() {
        if self == .nio {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
    }
}
