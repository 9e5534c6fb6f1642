#ifndef REFUNDMESH_CPROTOBUFC_SUPPORT_H
#define REFUNDMESH_CPROTOBUFC_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

/// A bump arena: allocations are carved from blocks and released all at once by
/// `rm_arena_reset`. It backs a `ProtobufCAllocator`, so `protobuf_c_message_unpack` costs a few
/// pointer bumps instead of ~24 mallocs per message, and the Swift side builds message trees for
/// packing without freeing each node. An arena is used by one thread at a time.
typedef struct RMArena RMArena;

/// A new arena whose first block holds `first_block_bytes` (kept across resets).
RMArena *rm_arena_create(size_t first_block_bytes);
void rm_arena_destroy(RMArena *arena);

/// `size` bytes aligned to 16, or NULL when memory is exhausted or `size` is absurd.
void *rm_arena_alloc(RMArena *arena, size_t size);

/// Forgets every allocation; frees every block but the first.
void rm_arena_reset(RMArena *arena);

/// The allocator to hand to protobuf-c; its `free` does nothing (reset frees).
ProtobufCAllocator *rm_arena_allocator(RMArena *arena);

/// Bytes handed out since the last reset (for tests and limits).
size_t rm_arena_bytes_used(const RMArena *arena);

/// Blocks currently owned by the arena (for tests: a reset leaves exactly one).
size_t rm_arena_block_count(const RMArena *arena);

/// The calling thread's cached arena if it is free, otherwise a fresh one. Pair with
/// `rm_arena_release`, which resets it and either returns it to the cache or destroys it.
RMArena *rm_arena_acquire(void);
void rm_arena_release(RMArena *arena);

#endif
