import CProtobufC
import CProtobufDescriptor

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a `FileDescriptorSet` (as written by `protoc --descriptor_set_out`) with libprotobuf-c
/// and copies what the generator needs into ``ProtoFile`` values.
enum DescriptorSetReader {
    /// Reads and decodes the descriptor set at `path`.
    static func read(path: String) throws -> [ProtoFile] {
        try decode(try readFile(path), source: path)
    }

    /// Decodes an encoded `FileDescriptorSet`.
    static func decode(_ bytes: [UInt8], source: String) throws -> [ProtoFile] {
        let unpacked: UnsafeMutablePointer<Google__Protobuf__FileDescriptorSet>? = bytes.withUnsafeBufferPointer {
            buffer in
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { emptyPointer in
                google__protobuf__file_descriptor_set__unpack(nil, buffer.count, buffer.baseAddress ?? emptyPointer)
            }
        }
        guard let set = unpacked else {
            throw ProtogenError("\(source) is not a FileDescriptorSet (protobuf-c could not unpack it)")
        }
        defer { google__protobuf__file_descriptor_set__free_unpacked(set, nil) }
        return each(set.pointee.file, set.pointee.n_file).map(file)
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        guard let handle = fopen(path, "rb") else {
            throw ProtogenError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count {
                if ferror(handle) != 0 { throw ProtogenError("cannot read \(path)") }
                return bytes
            }
        }
    }

    // MARK: C structs → model

    private static func file(_ c: UnsafeMutablePointer<Google__Protobuf__FileDescriptorProto>) -> ProtoFile {
        let file = c.pointee
        let comments = SourceComments(file.source_code_info)
        var result = ProtoFile(
            path: text(file.name),
            package: text(file.package),
            syntax: file.syntax.map { String(cString: $0) } ?? "proto2"
        )
        result.dependencies = strings(file.dependency, file.n_dependency)
        let scope = result.package
        result.messages = each(file.message_type, file.n_message_type).enumerated().map { index, message in
            self.message(message, scope: scope, path: [4, Int32(index)], comments: comments)
        }
        result.enums = each(file.enum_type, file.n_enum_type).enumerated().map { index, enumeration in
            self.enumeration(enumeration, scope: scope, path: [5, Int32(index)], comments: comments)
        }
        result.services = each(file.service, file.n_service).enumerated().map { index, service in
            self.service(service, scope: scope, path: [6, Int32(index)], comments: comments)
        }
        result.extensionNames = each(file.extension, file.n_extension).map { qualified(scope, text($0.pointee.name)) }
        return result
    }

    private static func message(
        _ c: UnsafeMutablePointer<Google__Protobuf__DescriptorProto>,
        scope: String,
        path: [Int32],
        comments: SourceComments
    ) -> ProtoMessageType {
        let message = c.pointee
        let name = text(message.name)
        let fullName = qualified(scope, name)
        var result = ProtoMessageType(name: name, fullName: fullName, comment: comments[path])
        result.fields = each(message.field, message.n_field).enumerated().map { index, field in
            self.field(field, path: path + [2, Int32(index)], comments: comments)
        }
        result.oneofNames = each(message.oneof_decl, message.n_oneof_decl).map { text($0.pointee.name) }
        result.messages = each(message.nested_type, message.n_nested_type).enumerated().map { index, nested in
            self.message(nested, scope: fullName, path: path + [3, Int32(index)], comments: comments)
        }
        result.enums = each(message.enum_type, message.n_enum_type).enumerated().map { index, nested in
            self.enumeration(nested, scope: fullName, path: path + [4, Int32(index)], comments: comments)
        }
        if let options = message.options, options.pointee.has_map_entry != 0 {
            result.isMapEntry = options.pointee.map_entry != 0
        }
        result.extensionNames = each(message.extension, message.n_extension).map {
            qualified(fullName, text($0.pointee.name))
        }
        result.hasExtensionRanges = message.n_extension_range > 0
        return result
    }

    private static func field(
        _ c: UnsafeMutablePointer<Google__Protobuf__FieldDescriptorProto>,
        path: [Int32],
        comments: SourceComments
    ) -> ProtoField {
        let field = c.pointee
        let label: ProtoField.Label
        switch Int32(truncatingIfNeeded: field.label.rawValue) {
        case 2: label = .required
        case 3: label = .repeated
        default: label = .optional
        }
        let kind = ProtoField.Kind(rawValue: Int32(truncatingIfNeeded: field.type.rawValue)) ?? .group
        let typeName = field.type_name.map { String(cString: $0) }.map {
            $0.hasPrefix(".") ? String($0.dropFirst()) : $0
        }
        return ProtoField(
            name: text(field.name),
            number: field.number,
            label: label,
            kind: kind,
            typeName: typeName,
            oneofIndex: field.has_oneof_index != 0 ? Int(field.oneof_index) : nil,
            isProto3Optional: field.has_proto3_optional != 0 && field.proto3_optional != 0,
            comment: comments[path]
        )
    }

    private static func enumeration(
        _ c: UnsafeMutablePointer<Google__Protobuf__EnumDescriptorProto>,
        scope: String,
        path: [Int32],
        comments: SourceComments
    ) -> ProtoEnum {
        let enumeration = c.pointee
        let name = text(enumeration.name)
        var result = ProtoEnum(name: name, fullName: qualified(scope, name), comment: comments[path])
        result.values = each(enumeration.value, enumeration.n_value).enumerated().map { index, value in
            ProtoEnum.Value(
                name: text(value.pointee.name),
                number: value.pointee.number,
                comment: comments[path + [2, Int32(index)]]
            )
        }
        return result
    }

    private static func service(
        _ c: UnsafeMutablePointer<Google__Protobuf__ServiceDescriptorProto>,
        scope: String,
        path: [Int32],
        comments: SourceComments
    ) -> ProtoService {
        let service = c.pointee
        let name = text(service.name)
        var result = ProtoService(name: name, fullName: qualified(scope, name), comment: comments[path])
        result.methods = each(service.method, service.n_method).enumerated().map { index, c in
            let method = c.pointee
            var idempotent = false
            if let options = method.options, options.pointee.has_idempotency_level != 0 {
                // NO_SIDE_EFFECTS = 1, IDEMPOTENT = 2 (descriptor.proto).
                let level = Int32(truncatingIfNeeded: options.pointee.idempotency_level.rawValue)
                idempotent = level == 1 || level == 2
            }
            return ProtoMethod(
                name: text(method.name),
                inputType: text(method.input_type).trimmingLeadingDot,
                outputType: text(method.output_type).trimmingLeadingDot,
                clientStreaming: method.has_client_streaming != 0 && method.client_streaming != 0,
                serverStreaming: method.has_server_streaming != 0 && method.server_streaming != 0,
                isIdempotent: idempotent,
                comment: comments[path + [2, Int32(index)]]
            )
        }
        return result
    }

    // MARK: Small readers

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static func strings(
        _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        _ count: Int
    ) -> [String] {
        guard let pointer else { return [] }
        return (0..<count).map { text(pointer[$0]) }
    }

    /// The non-NULL elements of a protobuf-c repeated message field.
    private static func each<T>(
        _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?,
        _ count: Int
    ) -> [UnsafeMutablePointer<T>] {
        guard let pointer else { return [] }
        return (0..<count).compactMap { pointer[$0] }
    }

    private static func qualified(_ scope: String, _ name: String) -> String {
        scope.isEmpty ? name : scope + "." + name
    }
}

/// The comments of a file's declarations, by their `SourceCodeInfo` location path.
private struct SourceComments {
    private var byPath: [[Int32]: String] = [:]

    init(_ info: UnsafeMutablePointer<Google__Protobuf__SourceCodeInfo>?) {
        guard let info, let locations = info.pointee.location else { return }
        for index in 0..<info.pointee.n_location {
            guard let location = locations[index]?.pointee, let path = location.path else { continue }
            let key = Array(UnsafeBufferPointer(start: path, count: location.n_path))
            let leading = location.leading_comments.map { String(cString: $0) } ?? ""
            let trailing = location.trailing_comments.map { String(cString: $0) } ?? ""
            let comment = leading.isEmpty ? trailing : leading
            if !comment.isEmpty { byPath[key] = comment }
        }
    }

    subscript(path: [Int32]) -> String? { byPath[path] }
}

extension String {
    var trimmingLeadingDot: String { hasPrefix(".") ? String(dropFirst()) : self }
}
