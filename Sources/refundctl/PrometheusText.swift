/// One sample of a Prometheus text exposition: `name{label="value",…} 12.5`.
struct PrometheusSample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// Reads the Prometheus text format (version 0.0.4) the services expose: comments and blank
/// lines are skipped, label values are unescaped (`\"`, `\\`, `\n`).
enum PrometheusText {
    static func parse(_ text: String) -> [PrometheusSample] {
        text.split(separator: "\n").compactMap { parseLine(Substring($0)) }
    }

    static func parseLine(_ line: Substring) -> PrometheusSample? {
        let line = line.drop { $0 == " " }
        guard !line.isEmpty, line.first != "#" else { return nil }
        var labels: [String: String] = [:]
        let name: Substring
        var rest: Substring
        if let brace = line.firstIndex(of: "{") {
            name = line[..<brace]
            rest = line[line.index(after: brace)...]
            while let equals = rest.firstIndex(of: "=") {
                let key = rest[..<equals].strippingSeparators()
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                var end: Substring.Index?
                for index in rest.indices {
                    let character = rest[index]
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        end = index
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard let end else { return nil }
                labels[key] = value
                rest = rest[rest.index(after: end)...]
                if rest.first == "}" { break }
            }
            guard let close = rest.firstIndex(of: "}") else { return nil }
            rest = rest[rest.index(after: close)...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        let valueText = rest.split(separator: " ").first.map(String.init) ?? ""
        let value: Double
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(valueText) else { return nil }
            value = parsed
        }
        return PrometheusSample(name: String(name), labels: labels, value: value)
    }
}

extension Array where Element == PrometheusSample {
    /// The sum of every sample named `name` whose labels include `matching`.
    func sum(
        _ name: String,
        where matching: [String: String] = [:],
        excluding: (([String: String]) -> Bool)? = nil
    ) -> Double {
        lazy.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
                && !(excluding?(sample.labels) ?? false)
        }.reduce(0) { $0 + $1.value }
    }
}

extension StringProtocol {
    fileprivate func strippingSeparators() -> String {
        let characters: Set<Character> = [",", " "]
        return String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
