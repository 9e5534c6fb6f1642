import RefundMeshHosting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("MemoryTrimmer: freed memory goes back to the system")
struct MemoryTrimmerTests {
    #if canImport(Glibc)
    @Test("after 48 MiB of small blocks are freed around a few survivors, a round gives most of it back")
    func freedPagesAreReturned() throws {
        // 1 KiB blocks come from the heap, not mmap. Every 64th survives, the last one too, so
        // free() leaves the pages in between to the allocator: free, but resident.
        let count = 48 * 1024
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(count)
        for _ in 0..<count {
            let block = try #require(malloc(1024))
            memset(block, 0xA5, 1024)
            blocks.append(block)
        }
        for (index, block) in blocks.enumerated() where index % 64 != 0 && index != count - 1 {
            free(block)
        }
        let released = MemoryTrimmer.trimOnce()
        // Other tests run alongside and may grow the heap meanwhile; a third of it is plenty
        // to tell a working trim from none.
        #expect(released >= 16 * 1024 * 1024, "released \(released) bytes")
        for (index, block) in blocks.enumerated() where index % 64 == 0 || index == count - 1 {
            free(block)
        }
    }
    #endif
}
