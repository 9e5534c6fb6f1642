import NIOCore
import RefundMeshRPC
import RefundMeshTestSupport
import RefundMeshWire
import Testing

@Suite("Unary calls over loopback TCP")
struct UnaryCallTests {
    @Test("a unary call round-trips its request, metadata and request id")
    func roundTrip() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            defer { Task { await client.close() } }
            let stub = TestService.Client(client)
            let payload = (0..<300).map { UInt8($0 % 251) }
            let pong = try await stub.unary(
                Ping(id: 42, text: "héllo 退款", payload: payload),
                options: CallOptions(metadata: ["x-request-id": "req-1", "tenant": "shop-9"])
            )
            #expect(pong.id == 42)
            #expect(pong.text == "héllo 退款")
            #expect(pong.payload == payload)
            #expect(pong.seenMetadata.contains("x-request-id=req-1"))
            #expect(pong.seenMetadata.contains("tenant=shop-9"))
            await client.close()
        }
    }

    @Test("an unknown method is UNIMPLEMENTED with a message naming what is served")
    func unknownMethod() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            let missing = MethodDescriptor(
                service: "refundmesh.testing.v1.TestService",
                method: "Nope",
                kind: .unary,
                isIdempotent: false,
                requestType: Ping.protoMessageName,
                responseType: Pong.protoMessageName
            )
            let error = await #expect(throws: RPCError.self) {
                let _: Pong = try await client.unary(missing, request: Ping())
            }
            #expect(error?.code == .unimplemented)
            #expect(error?.message.contains("has no method Nope") == true)
            #expect(error?.message.contains("Unary") == true)

            let otherService = MethodDescriptor(
                service: "refundmesh.nothing.v1.Ghost",
                method: "Boo",
                kind: .unary,
                isIdempotent: false,
                requestType: Ping.protoMessageName,
                responseType: Pong.protoMessageName
            )
            let second = await #expect(throws: RPCError.self) {
                let _: Pong = try await client.unary(otherService, request: Ping())
            }
            #expect(second?.code == .unimplemented)
            #expect(second?.message.contains("refundmesh.health.v1.Health") == true)
            await client.close()
        }
    }

    @Test("a request the server cannot decode is INVALID_ARGUMENT and the connection stays usable")
    func malformedRequest() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            // Field 2 (text) declared as 5 bytes long with only 1 present.
            let garbage = RawBytes(bytes: [0x12, 0x05, 0x41])
            let error = await #expect(throws: RPCError.self) {
                let _: Pong = try await client.unary(TestService.Method.unary, request: garbage)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("refundmesh.testing.v1.Ping") == true)
            let pong = try await TestService.Client(client).unary(Ping(id: 7))
            #expect(pong.id == 7)
            await client.close()
        }
    }

    @Test("a string with invalid UTF-8 is refused as INVALID_ARGUMENT naming the field")
    func invalidUTF8() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            let bad = RawBytes(bytes: [0x12, 0x02, 0xC3, 0x28])  // text = invalid 2-byte sequence
            let error = await #expect(throws: RPCError.self) {
                let _: Pong = try await client.unary(TestService.Method.unary, request: bad)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("UTF-8") == true)
            await client.close()
        }
    }

    @Test("a handler's RPCError travels with its code, message and details")
    func errorsTravel() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            let error = await #expect(throws: RPCError.self) {
                _ = try await TestService.Client(client).unary(Ping(text: "fail-unavailable"))
            }
            #expect(error?.code == .unavailable)
            #expect(error?.message == "asked to fail")
            await client.close()
        }
    }

    @Test("1,000 concurrent calls on one connection are each answered correctly, out of order")
    func thousandConcurrentCalls() async throws {
        try await withTestServer(services: [TestServiceImplementation()]) { _, port in
            let client = makeTestClient(ports: [port])
            let stub = TestService.Client(client)
            let answers = try await withThrowingTaskGroup(of: (Int64, Pong).self) { group in
                for id in 0..<1000 {
                    group.addTask {
                        // Later ids finish sooner, so answers come back out of order.
                        let delay = UInt32((1000 - id) % 50)
                        let pong = try await stub.unary(Ping(id: Int64(id), text: "n\(id)", delayMillis: delay))
                        return (Int64(id), pong)
                    }
                }
                var collected: [(Int64, Pong)] = []
                for try await answer in group { collected.append(answer) }
                return collected
            }
            #expect(answers.count == 1000)
            #expect(answers.allSatisfy { $0.0 == $0.1.id && $0.1.text == "n\($0.0)" })
            // Completion order differs from submission order.
            #expect(answers.map(\.0) != answers.map(\.0).sorted())
            await client.close()
        }
    }
}

/// Arbitrary bytes posing as a message, to send what a broken or hostile client would.
struct RawBytes: ProtoMessage {
    static var protoMessageName: String { "test.RawBytes" }
    var bytes: [UInt8] = []
    init() {}
    init(bytes: [UInt8]) { self.bytes = bytes }
    func serializedBytes() throws -> [UInt8] { bytes }
    func serialize(into buffer: inout ByteBuffer) throws -> Int { buffer.writeBytes(bytes) }
    init(serializedBytes bytes: UnsafeRawBufferPointer) throws { self.bytes = Array(bytes) }
}
