#ifndef REFUNDMESH_CCODECBASELINE_H
#define REFUNDMESH_CCODECBASELINE_H

#include <stddef.h>
#include <stdint.h>

/// libprotobuf-c on its own, for the codec benchmarks: the benchmark's SubmitRefundRequest
/// (two attachments' metadata) built once as a protobuf-c struct tree, then packed and unpacked
/// by the protoc-c generated functions with protobuf-c's default allocator (malloc). No Swift
/// and no arena: this is the time the Swift bridge is compared with.
///
/// The values are the same as CodecFixture.request in the Swift suite; the suite's setup checks
/// that both pack to the same bytes. Single-threaded: state lives in statics.

/// Builds the struct tree (first call only) and packs it once; returns the packed size.
size_t codec_baseline_prepare(void);

/// `..._get_packed_size` + `..._pack` into the baseline's own buffer; returns the bytes written.
size_t codec_baseline_pack(void);

/// The bytes of the last `codec_baseline_pack` (or `codec_baseline_prepare`), and their count.
const uint8_t *codec_baseline_packed_bytes(size_t *count);

/// `..._unpack` + `..._free_unpacked` of `count` bytes; returns the number of attachments
/// unpacked, or -1 when protobuf-c rejects the bytes.
int codec_baseline_unpack_free(const uint8_t *bytes, size_t count);

/// `codec_baseline_pack`, then `codec_baseline_unpack_free` of what it wrote.
int codec_baseline_round_trip(void);

#endif
