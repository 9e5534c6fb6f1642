import CProtobufC
import CProtobufCSupport
import RefundMeshTestSupport
import RefundMeshWire
import Testing

/// The bump arena behind every encode and decode (CProtobufCSupport).
@Suite("protobuf-c arena")
struct ProtobufCArenaTests {
    @Test("reset frees every block but the first")
    func resetKeepsOneBlock() throws {
        let arena = try #require(rm_arena_create(256))
        defer { rm_arena_destroy(arena) }
        #expect(rm_arena_block_count(arena) == 1)
        for _ in 0..<100 {
            #expect(rm_arena_alloc(arena, 100) != nil)
        }
        #expect(rm_arena_block_count(arena) > 1)
        #expect(rm_arena_bytes_used(arena) == 100 * 112)
        rm_arena_reset(arena)
        #expect(rm_arena_block_count(arena) == 1)
        #expect(rm_arena_bytes_used(arena) == 0)
        // The kept block serves the next allocations again.
        #expect(rm_arena_alloc(arena, 128) != nil)
        #expect(rm_arena_block_count(arena) == 1)
    }

    @Test("allocations are 16-byte aligned and writable")
    func alignment() throws {
        let arena = try #require(rm_arena_create(0))
        defer { rm_arena_destroy(arena) }
        for size in [1, 3, 16, 17, 1000] {
            let pointer = try #require(rm_arena_alloc(arena, size))
            #expect(Int(bitPattern: pointer) % 16 == 0)
            pointer.initializeMemory(as: UInt8.self, repeating: 0xAB, count: size)
        }
    }

    @Test("a large allocation gets a block of its own; an absurd one is refused")
    func largeAllocations() throws {
        let arena = try #require(rm_arena_create(1024))
        defer { rm_arena_destroy(arena) }
        let size = 8 * 1024 * 1024
        let pointer = try #require(rm_arena_alloc(arena, size))
        pointer.initializeMemory(as: UInt8.self, repeating: 0x5A, count: size)
        #expect(pointer.load(fromByteOffset: size - 1, as: UInt8.self) == 0x5A)
        #expect(rm_arena_block_count(arena) == 2)
        #expect(rm_arena_alloc(arena, Int.max) == nil)
        #expect(rm_arena_alloc(arena, (1 << 31) + 1) == nil)
        rm_arena_reset(arena)
        #expect(rm_arena_block_count(arena) == 1)
    }

    @Test("the protobuf-c allocator hands out arena memory and frees nothing")
    func allocator() throws {
        let arena = try #require(rm_arena_create(0))
        defer { rm_arena_destroy(arena) }
        let allocator = rm_arena_allocator(arena)!
        let memory = allocator.pointee.alloc(allocator.pointee.allocator_data, 40)
        #expect(memory != nil)
        #expect(rm_arena_bytes_used(arena) == 48)
        allocator.pointee.free(allocator.pointee.allocator_data, memory)
        #expect(rm_arena_bytes_used(arena) == 48)
    }

    @Test("ProtobufCArena.with starts from an empty arena each time; nesting gets another one")
    func threadArena() throws {
        let first = try ProtobufCArena.with { arena in
            _ = try arena.allocate(UInt64.self, count: 10)
            return arena.bytesUsed
        }
        #expect(first == 80)
        try ProtobufCArena.with { outer in
            #expect(outer.bytesUsed == 0)
            _ = try outer.allocate(UInt8.self, count: 1)
            try ProtobufCArena.with { inner in
                #expect(inner.bytesUsed == 0)
                #expect(inner.allocator != outer.allocator)
            }
            #expect(outer.bytesUsed == 16)
        }
    }

    @Test("an encode that needs many blocks works and leaves the cached arena with one")
    func messageLargerThanFirstBlock() throws {
        let message = KitchenSink(rString: (0..<10_000).map { "string number \($0)" })
        let bytes = try message.serializedBytes()
        #expect(try KitchenSink(serializedBytes: bytes) == message)
        try ProtobufCArena.with { arena in
            #expect(arena.bytesUsed == 0)
        }
    }
}
