import Foundation
import NIOCore
import RefundMeshFuzzing
import RefundMeshWire
import Testing

/// Runs the committed fuzz corpus and every input that once crashed a fuzz target
/// (`Fuzz/corpus/<target>/`, `Fuzz/regressions/<target>/`) through the same checks the libFuzzer
/// executables run, so a fixed crash stays fixed without building the fuzzers.
///
/// A broken property stops the test process (the targets call `fatalError`, as the fuzzer needs);
/// the input being replayed is printed first so the log names it.
@Suite("Fuzz corpus replay")
struct FuzzCorpusReplayTests {
    private static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The regular files of `Fuzz/<folder>/<target>/`, sorted; none when the folder is missing.
    private static func files(in folder: String, of target: FuzzTarget) throws -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(
            at: directory,
            includingPropertiesForKeys: [.isRegularFileKey],
            options: [.skipsHiddenFiles]
        )
        .filter { try $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("every corpus and regression input passes its target", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) throws {
        let corpus = try Self.files(in: "corpus", of: target)
        let regressions = try Self.files(in: "regressions", of: target)
        #expect(corpus.count >= target.seeds.count, "Fuzz/corpus/\(target.rawValue) is missing seeds")
        for file in corpus + regressions {
            print("fuzz replay: \(target.rawValue) \(file.lastPathComponent)")
            target.run([UInt8](try Data(contentsOf: file)))
        }
    }

    @Test("the committed seeds are exactly what FuzzSeeds makes", arguments: FuzzTarget.allCases)
    func seedsAreCurrent(target: FuzzTarget) throws {
        let seeds = target.seeds
        let committed = try Self.files(in: "corpus", of: target).filter { $0.lastPathComponent.hasPrefix("seed-") }
        #expect(Set(committed.map(\.lastPathComponent)) == Set(seeds.map(\.fileName)), "run scripts/fuzz.sh seeds")
        for seed in seeds {
            let file = Self.fuzzDirectory.appendingPathComponent("corpus/\(target.rawValue)/\(seed.fileName)")
            let bytes = try? [UInt8](Data(contentsOf: file))
            #expect(bytes == seed.bytes, "\(seed.fileName) is stale: run scripts/fuzz.sh seeds")
        }
    }

    @Test("every message seed decodes as the type its first byte selects")
    func messageSeedsDecode() throws {
        let seeds = FuzzSeeds.messages()
        #expect(Set(seeds.compactMap { $0.bytes.first }).count == FuzzMessageTypes.all.count)
        for seed in seeds {
            let type = FuzzMessageTypes.type(forSelector: try #require(seed.bytes.first))
            let decoded = try type.init(serializedBytes: Array(seed.bytes.dropFirst()))
            #expect(try decoded.serializedBytes() == Array(seed.bytes.dropFirst()), "\(seed.name)")
        }
    }

    @Test("each single-frame seed holds exactly one frame")
    func frameSeedsDecode() throws {
        for seed in FuzzSeeds.frames() where seed.name.hasPrefix("frame-") {
            var decoder = FrameDecoder(expectPreface: false)
            var buffer = ByteBuffer(bytes: seed.bytes.dropFirst())
            #expect(try decoder.decode(buffer: &buffer) != nil, "\(seed.name)")
            #expect(buffer.readableBytes == 0, "\(seed.name)")
        }
    }
}
