import Foundation

/// A fuzz target by the name its corpus folder, regression folder and executable use:
/// `Fuzz/corpus/<name>/`, `Fuzz/regressions/<name>/`, `fuzz-<name>`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// ``FuzzTargets/frameDecoder(_:)``.
    case frames
    /// ``FuzzTargets/messageBridge(_:)``.
    case messages

    /// Runs one input through the target.
    public func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .frames: FuzzTargets.frameDecoder(bytes)
        case .messages: FuzzTargets.messageBridge(bytes)
        }
    }

    /// ``run(_:)`` for an array.
    public func run(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run($0) }
    }

    /// The target's seed corpus, made from valid values by code (see ``FuzzSeeds``).
    public var seeds: [FuzzSeed] {
        switch self {
        case .frames: FuzzSeeds.frames()
        case .messages: FuzzSeeds.messages()
        }
    }

    /// The environment variable that turns a fuzz executable into a seed writer.
    public static let seedDirectoryVariable = "REFUNDMESH_FUZZ_WRITE_SEEDS"

    /// When ``seedDirectoryVariable`` names a folder, writes ``seeds`` there and exits; called
    /// from the executables' `LLVMFuzzerInitialize`, so `scripts/fuzz.sh seeds` needs no other
    /// tool.
    public func writeSeedsIfRequested() {
        guard let directory = ProcessInfo.processInfo.environment[Self.seedDirectoryVariable] else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for seed in seeds {
                let url = URL(fileURLWithPath: directory).appendingPathComponent(seed.fileName)
                try Data(seed.bytes).write(to: url)
            }
            print("wrote \(seeds.count) \(rawValue) seeds to \(directory)")
            exit(0)
        } catch {
            print("could not write seeds to \(directory): \(error)")
            exit(1)
        }
    }
}
