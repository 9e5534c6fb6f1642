import CCodecBaseline
import CodecFixtures
import RefundMeshAPI
import RefundMeshWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One codec operation of the benchmark suite in a plain loop, with no benchmark harness around
/// it: for profilers (`valgrind --tool=callgrind`, `perf record`) and instruction counts.
///
///     codec-profile swift-round-trip 100000
///
/// Running the same operation with 0 calls gives the start-up cost to subtract. Prints the
/// operation, the calls and the wall-clock ns per call (meaningless under valgrind).
@main
enum CodecProfile {
    static let operations = ["swift-encode", "swift-decode", "swift-round-trip", "c-pack", "c-unpack", "c-round-trip"]

    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let operation = arguments.first, operations.contains(operation) else {
            print("usage: codec-profile (\(operations.joined(separator: "|"))) [calls, default 100000]")
            exit(2)
        }
        let calls = arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
        let encoded = try CodecFixture.verify()
        let start = ContinuousClock.now
        let checksum = try run(operation, calls: calls, encoded: encoded)
        let elapsed = ContinuousClock.now - start
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        let perCall = calls > 0 ? nanoseconds / Double(calls) : 0
        print("\(operation) calls=\(calls) ns_per_call=\(Int(perCall.rounded())) checksum=\(checksum)")
    }

    /// The measured loop; kept out of line so a profile shows it as one frame.
    @inline(never)
    static func run(_ operation: String, calls: Int, encoded: [UInt8]) throws -> Int {
        let request = CodecFixture.request
        var checksum = 0
        switch operation {
        case "swift-encode":
            for _ in 0..<calls { checksum &+= try request.serializedBytes().count }
        case "swift-decode":
            for _ in 0..<calls { checksum &+= try SubmitRefundRequest(serializedBytes: encoded).attachments.count }
        case "swift-round-trip":
            for _ in 0..<calls {
                let bytes = try request.serializedBytes()
                checksum &+= try SubmitRefundRequest(serializedBytes: bytes).attachments.count
            }
        case "c-pack":
            for _ in 0..<calls { checksum &+= codec_baseline_pack() }
        case "c-unpack":
            encoded.withUnsafeBufferPointer { bytes in
                for _ in 0..<calls { checksum &+= Int(codec_baseline_unpack_free(bytes.baseAddress, bytes.count)) }
            }
        default:
            for _ in 0..<calls { checksum &+= Int(codec_baseline_round_trip()) }
        }
        return checksum
    }
}
