#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes generated files: removes stale `*.pb.swift`/`*.rpc.swift` from every output folder,
/// then writes each file (leaving an unchanged file untouched, so builds stay incremental).
enum OutputWriter {
    static func write(_ files: [GeneratedFile], directories: [String]) throws {
        let keep = Set(files.map(\.path))
        for directory in Set(directories).sorted() {
            try makeDirectories(directory)
            for name in try listDirectory(directory)
            where (name.hasSuffix(".pb.swift") || name.hasSuffix(".rpc.swift"))
                && !keep.contains(directory + "/" + name)
            {
                if unlink(directory + "/" + name) != 0 {
                    throw ProtogenError("cannot remove stale \(directory)/\(name): \(String(cString: strerror(errno)))")
                }
            }
        }
        for file in files {
            if (try? readFile(file.path)) == Array(file.contents.utf8) { continue }
            try writeFile(file.path, Array(file.contents.utf8))
        }
    }

    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ProtogenError("cannot create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    static func listDirectory(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else {
            throw ProtogenError("cannot list \(path): \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let handle = fopen(path, "rb") else { throw ProtogenError("cannot open \(path)") }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count { return bytes }
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        guard let handle = fopen(path, "wb") else {
            throw ProtogenError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        if fclose(handle) != 0 || written != bytes.count {
            throw ProtogenError("cannot write \(path)")
        }
    }
}
