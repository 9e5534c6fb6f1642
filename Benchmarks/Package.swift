// swift-tools-version:6.1
// RefundMesh's benchmarks (ordo-one/benchmark, as swift-nio's Benchmarks/ does). Run them with
// scripts/bench-codec.sh (Benchmarks/README.md); the benchmark plugin finds each suite in
// Benchmarks/<suite>/.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, so read it rather than assume "main".
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let refundMesh = root.lastPathComponent
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]
// What both codec executables build on: the fixture, the C baseline and the Swift bridge.
let codecDependencies: [Target.Dependency] = [
    "CCodecBaseline", "CodecFixtures",
    .product(name: "RefundMeshAPI", package: refundMesh),
    .product(name: "RefundMeshWire", package: refundMesh),
]

let package = Package(
    name: "RefundMeshBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // libprotobuf-c on its own: the same SubmitRefundRequest as a C struct tree, packed and
        // unpacked by the protoc-c generated functions. The baseline the Swift bridge is held to.
        .target(
            name: "CCodecBaseline",
            dependencies: [.product(name: "CRefundMeshProtos", package: refundMesh)]
        ),
        // The benchmark message in Swift, and the check that Swift and C encode it alike.
        .target(
            name: "CodecFixtures",
            dependencies: [
                "CCodecBaseline",
                .product(name: "RefundMeshAPI", package: refundMesh),
                .product(name: "RefundMeshWire", package: refundMesh),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: codecDependencies + [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/CodecBenchmarks",
            swiftSettings: swift6,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // One codec operation in a plain loop, for callgrind and perf (Benchmarks/README.md).
        .executableTarget(
            name: "codec-profile",
            dependencies: codecDependencies,
            swiftSettings: swift6
        ),
    ]
)
