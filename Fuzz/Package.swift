// swift-tools-version:6.1
// RefundMesh's libFuzzer executables: one per target in RefundMeshFuzzing. Build and run them
// with scripts/fuzz.sh (Fuzz/README.md); `--sanitize=fuzzer` makes libFuzzer provide `main`.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, so read it rather than assume "main".
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let refundMesh = root.lastPathComponent
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "RefundMeshFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "fuzz-frames",
            dependencies: [.product(name: "RefundMeshFuzzing", package: refundMesh)],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "fuzz-messages",
            dependencies: [.product(name: "RefundMeshFuzzing", package: refundMesh)],
            swiftSettings: swift6
        ),
    ]
)
