import RefundMeshFuzzing

/// libFuzzer's set-up hook: `REFUNDMESH_FUZZ_WRITE_SEEDS=<dir>` writes the seeds and exits.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    FuzzTarget.messages.writeSeedsIfRequested()
    return 0
}

/// One input for ``FuzzTargets/messageBridge(_:)``; a broken property stops the process.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessages(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.messages.run(UnsafeRawBufferPointer(start: data, count: count))
    return 0
}
