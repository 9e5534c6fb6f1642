import CCodecBaseline
import RefundMeshAPI
import RefundMeshWire

/// The message every codec benchmark encodes and decodes: a refund request as a client submits
/// it, with two attachments' metadata (kind, file name, content type and a 32-byte head of the
/// file, not the file).
///
/// `Sources/CCodecBaseline/codec_baseline.c` builds the same message as a protobuf-c struct tree;
/// ``verify()`` checks that the two agree, so the Swift and C figures are for the same bytes. Shared
/// by the benchmark suite and `codec-profile`.
public enum CodecFixture {
    /// The Swift value; the same fields and values as `build_request()` in `codec_baseline.c`.
    public static let request = SubmitRefundRequest(
        idempotencyKey: "key-9f1c2e7a-4b3d-4e8a-9c61-2f0d5b7e3a14",
        userID: "u-20481733",
        orderID: "o-2026120600042917",
        source: .orderPage,
        ground: .notUsed,
        reasonStatement: "游戏点卡购买后未激活，卡密未使用：附订单截图和支付凭证。 The card was never redeemed.",
        attachments: [
            Attachment(
                kind: .orderProof,
                fileName: "order-2026120600042917.png",
                contentType: "image/png",
                content: [
                    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
                    0x00, 0x00, 0x02, 0xD0, 0x00, 0x00, 0x05, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0x6E, 0x2F, 0x5B,
                ]
            ),
            Attachment(
                kind: .paymentProof,
                fileName: "wechat-pay-receipt.jpg",
                contentType: "image/jpeg",
                content: [
                    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48,
                    0x00, 0x48, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08,
                ]
            ),
        ],
        destination: .original,
        requesterDeviceID: "dev-a7c3e91f0b2d",
        requesterIP: "203.0.113.45",
        locale: "zh-CN"
    )

    /// Why the fixture cannot be benchmarked: the Swift and C messages differ, or a codec failed.
    public struct Mismatch: Error, CustomStringConvertible {
        public var description: String
    }

    /// Prepares the C baseline and checks, before any measurement, that the Swift encoder and
    /// libprotobuf-c produce the same bytes for the fixture and that each side decodes the other's.
    /// - Returns: the encoded fixture, for the decode benchmarks.
    /// - Throws: ``Mismatch`` describing the first disagreement; the benchmark then fails.
    public static func verify() throws -> [UInt8] {
        let swiftBytes = try request.serializedBytes()
        guard codec_baseline_prepare() > 0 else {
            throw Mismatch(description: "codec_baseline_prepare failed: the C message does not pack")
        }
        var count = 0
        guard let cPointer = codec_baseline_packed_bytes(&count) else {
            throw Mismatch(description: "codec_baseline_packed_bytes returned NULL")
        }
        let cBytes = Array(UnsafeBufferPointer(start: cPointer, count: count))
        guard swiftBytes == cBytes else {
            let common = min(swiftBytes.count, cBytes.count)
            let firstDifference = (0..<common).first { swiftBytes[$0] != cBytes[$0] } ?? common
            throw Mismatch(
                description: """
                    the Swift and C encodings of SubmitRefundRequest differ: Swift \(swiftBytes.count) bytes, \
                    C \(cBytes.count) bytes, first difference at byte \(firstDifference). The fixture in \
                    CodecFixture.swift and build_request() in codec_baseline.c must hold the same values.
                    """
            )
        }
        guard try SubmitRefundRequest(serializedBytes: cBytes) == request else {
            throw Mismatch(description: "the C encoding does not decode in Swift to the fixture")
        }
        let cAttachments = swiftBytes.withUnsafeBufferPointer {
            codec_baseline_unpack_free($0.baseAddress, $0.count)
        }
        guard cAttachments == Int32(request.attachments.count) else {
            throw Mismatch(description: "libprotobuf-c unpacked \(cAttachments) attachments from the Swift encoding")
        }
        return swiftBytes
    }
}
