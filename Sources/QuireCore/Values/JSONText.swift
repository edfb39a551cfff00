import Foundation

/// Deterministic JSON for ``Value``: sorted keys, no escaped slashes, shortest numbers.
public enum JSONText {
    public static func encode(_ value: Value, pretty: Bool, indent: Int = 2) -> String {
        var out = ""
        write(value, into: &out, pretty: pretty, indent: indent, level: 0)
        return out
    }

    private static func write(_ value: Value, into out: inout String, pretty: Bool, indent: Int, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            out += d.isFinite ? Value.format(d) : "null"
        case .string(let s): writeString(s, into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += pretty ? "," : "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent * (level + 1)) }
                write(item, into: &out, pretty: pretty, indent: indent, level: level + 1)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "]"
        case .object(let dict):
            if dict.isEmpty { out += "{}"; return }
            out += "{"
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent * (level + 1)) }
                writeString(key, into: &out)
                out += pretty ? ": " : ":"
                write(dict[key]!, into: &out, pretty: pretty, indent: indent, level: level + 1)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "}"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        // Most strings need no escaping: append them whole (this runs for every key and value of
        // every manifest, journal line and request hash).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + ContentHash.hex([UInt8(scalar.value)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Parses JSON text into a ``Value``. Integers stay integers; other numbers become doubles.
    public static func decode(_ text: String) throws(JSONParseError) -> Value {
        var parser = JSONParser(text)
        return try parser.parseDocument()
    }
}
