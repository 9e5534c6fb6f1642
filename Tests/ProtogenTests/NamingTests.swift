import Testing

@testable import refundmesh_protogen

@Suite("naming")
struct NamingTests {
    @Test(
        "snake_case fields become lowerCamelCase with whole-word initialisms",
        arguments: [
            ("call_id", "callID"), ("type_url", "typeURL"), ("last_call_id", "lastCallID"), ("f_int32", "fInt32"),
            ("id", "id"), ("amount_fen", "amountFen"), ("api_key", "apiKey"), ("server_ip", "serverIP"),
            ("sla_millis", "slaMillis"), ("name_utf8", "nameUTF8"), ("idempotent", "idempotent"),
            ("ListServices", "listServices"), ("Echo", "echo"), ("HTTPServer", "httpServer"),
            ("inner_by_id", "innerByID"), ("video_url_list", "videoURLList"), ("default", "default"),
        ]
    )
    func lowerCamel(input: String, expected: String) {
        #expect(SwiftNaming.lowerCamel(input) == expected)
    }

    @Test("keywords get backticks")
    func keywords() {
        #expect(SwiftNaming.escaped("default") == "`default`")
        #expect(SwiftNaming.escaped("self") == "`self`")
        #expect(SwiftNaming.escaped("name") == "name")
    }

    @Test(
        "enum values drop the enum's UPPER_SNAKE prefix",
        arguments: [
            ("COLOUR_BLUE", "Colour", "blue"), ("FRAME_KIND_GOAWAY", "FrameKind", "goaway"),
            ("SERVING_STATUS_NOT_SERVING", "ServingStatus", "notServing"),
            ("KIND_SERVER_STREAMING", "Kind", "serverStreaming"), ("KIND_UNSPECIFIED", "Kind", "unspecified"),
            // No prefix, or a prefix whose rest would start with a digit: keep the whole name.
            ("OTHER_THING", "Kind", "otherThing"), ("LEVEL_2", "Level", "level2"),
            ("HTTP_CODE_NOT_FOUND", "HTTPCode", "notFound"), ("SESSION_ID_NONE", "SessionID", "none"),
        ]
    )
    func enumCases(value: String, enumName: String, expected: String) {
        #expect(SwiftNaming.enumCase(value, enumName: enumName) == expected)
    }

    @Test("CamelCase → UPPER_SNAKE")
    func upperSnake() {
        #expect(SwiftNaming.upperSnake("ServingStatus") == "SERVING_STATUS")
        #expect(SwiftNaming.upperSnake("Colour") == "COLOUR")
        #expect(SwiftNaming.upperSnake("HTTPCode") == "HTTP_CODE")
        #expect(SwiftNaming.upperSnake("V1Thing") == "V1_THING")
    }

    @Test("C names match protoc-c's headers")
    func cNames() {
        #expect(
            CNaming.typeName("refundmesh.testing.v1.KitchenSink.LabelsEntry")
                == "Refundmesh__Testing__V1__KitchenSink__LabelsEntry"
        )
        #expect(
            CNaming.functionPrefix("refundmesh.testing.v1.KitchenSink.LabelsEntry")
                == "refundmesh__testing__v1__kitchen_sink__labels_entry"
        )
        #expect(
            CNaming.functionPrefix("refundmesh.testing.v1.KitchenSink.InnerByIdEntry")
                == "refundmesh__testing__v1__kitchen_sink__inner_by_id_entry"
        )
        #expect(
            CNaming.typeName("refundmesh.health.v1.HealthCheckResponse.ServingStatus")
                == "Refundmesh__Health__V1__HealthCheckResponse__ServingStatus"
        )
        #expect(CNaming.upperPrefix("refundmesh.testing.v1.KitchenSink") == "REFUNDMESH__TESTING__V1__KITCHEN_SINK")
        #expect(
            CNaming.oneofCaseConstant(
                message: "refundmesh.testing.v1.KitchenSink",
                oneof: "choice",
                field: "choice_text"
            )
                == "REFUNDMESH__TESTING__V1__KITCHEN_SINK__CHOICE_CHOICE_TEXT"
        )
        #expect(CNaming.oneofCaseMember("choice") == "choice_case")
        #expect(CNaming.fieldName("default") == "default_")
        #expect(CNaming.fieldName("class") == "class_")
        #expect(CNaming.fieldName("amount_fen") == "amount_fen")
        #expect(CNaming.fieldName("fooBar") == "foobar")
        #expect(CNaming.typeName("google.protobuf.FileDescriptorSet") == "Google__Protobuf__FileDescriptorSet")
        #expect(CNaming.functionPrefix("google.protobuf.FileDescriptorSet") == "google__protobuf__file_descriptor_set")
        // protoc-c's CamelToLower puts no `_` inside an upper-case run.
        #expect(CNaming.functionPrefix("a.HTTPServer") == "a__httpserver")
    }

    @Test("proto paths flatten to unique file names")
    func flattening() {
        #expect(FileEmitter.flattenedName("refundmesh/rpc/v1/frame.proto") == "refundmesh_rpc_v1_frame")
    }

    @Test("--module values parse, and malformed ones are refused")
    func moduleMap() throws {
        let map = try ModuleMap(arguments: ["a.b.v1=ModA:Sources/ModA/Generated", "c.v1=ModC:out:with:colons"])
        #expect(
            map.target(forPackage: "a.b.v1")
                == ModuleMap.Target(module: "ModA", outputDirectory: "Sources/ModA/Generated")
        )
        #expect(map.target(forPackage: "c.v1")?.outputDirectory == "out:with:colons")
        #expect(throws: ProtogenError.self) { try ModuleMap(arguments: ["nonsense"]) }
        #expect(throws: ProtogenError.self) { try ModuleMap(arguments: ["a=B"]) }
        #expect(throws: ProtogenError.self) { try ModuleMap(arguments: ["a=B:x", "a=C:y"]) }
    }
}
