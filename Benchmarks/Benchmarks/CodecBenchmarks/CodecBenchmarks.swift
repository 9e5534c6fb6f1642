import Benchmark
import CCodecBaseline
import CodecFixtures
import RefundMeshAPI
import RefundMeshWire

/// The SubmitRefundRequest codec through the Swift bridge (the path the RPC runtime takes for
/// every request and response body: `serializedBytes()` to `[UInt8]`, and
/// `init(serializedBytes: [UInt8])`), next to libprotobuf-c's own pack and unpack of the same
/// message in C. Names are `<side>.<operation>`; scripts/bench-codec.sh reads them.
let benchmarks: @Sendable () -> Void = {
    // One measured sample is 1,000 codec calls, timed and malloc-counted as a whole: per-call
    // figures are a sample's divided by 1,000 (scripts/bench-codec.sh's CALLS_PER_SAMPLE).
    // Not measured: cpuTotal (Linux reports CPU time in 10 ms ticks, longer than a sample) and
    // instructions (no perf counters on these VMs; codec-profile under callgrind counts them).
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .mallocBytesCount],
        warmupIterations: 20,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 5_000
    )
    let request = CodecFixture.request
    // Refuses to measure anything unless Swift and C encode the fixture to the same bytes.
    Benchmark.setup = { _ = try CodecFixture.verify() }
    let encoded = try! request.serializedBytes()

    // MARK: Swift: the bridge the services use

    Benchmark("Swift.encode") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try request.serializedBytes())
        }
    }
    Benchmark("Swift.decode") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SubmitRefundRequest(serializedBytes: encoded))
        }
    }
    Benchmark("Swift.roundTrip") { benchmark in
        for _ in benchmark.scaledIterations {
            let bytes = try request.serializedBytes()
            blackHole(try SubmitRefundRequest(serializedBytes: bytes))
        }
    }

    // MARK: C: libprotobuf-c alone, the baseline

    Benchmark("C.pack") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(codec_baseline_pack())
        }
    }
    Benchmark("C.unpackFree") { benchmark in
        encoded.withUnsafeBufferPointer { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(codec_baseline_unpack_free(bytes.baseAddress, bytes.count))
            }
        }
    }
    Benchmark("C.roundTrip") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(codec_baseline_round_trip())
        }
    }
}
