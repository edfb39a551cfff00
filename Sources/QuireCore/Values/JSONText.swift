import Foundation

/// Deterministic JSON for ``Value``: sorted keys, no escaped slashes, shortest numbers.
public enum JSONText {
    public static func encode(_ value: Value, pretty: Bool, indent: Int = 2) -> String {
        // Bytes, not String appends: manifests are rewritten at every step boundary and request
        // bodies are encoded for every call, so this is on the critical path of a run.
        var writer = Writer(pretty: pretty, indent: indent)
        writer.write(value, level: 0)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private struct Writer {
        let pretty: Bool
        let indent: Int
        var bytes: [UInt8] = []

        init(pretty: Bool, indent: Int) {
            self.pretty = pretty
            self.indent = indent
            bytes.reserveCapacity(1024)
        }

        mutating func write(_ value: Value, level: Int) {
            switch value {
            case .null: append("null")
            case .bool(let b): append(b ? "true" : "false")
            case .int(let i): append(String(i))
            case .double(let d): append(d.isFinite ? Value.format(d) : "null")
            case .string(let s): writeString(s)
            case .list(let items):
                if items.isEmpty { append("[]"); return }
                bytes.append(UInt8(ascii: "["))
                var first = true
                for item in items {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    newline(level: level + 1)
                    write(item, level: level + 1)
                }
                newline(level: level)
                bytes.append(UInt8(ascii: "]"))
            case .object(let dict):
                if dict.isEmpty { append("{}"); return }
                bytes.append(UInt8(ascii: "{"))
                var first = true
                for (key, member) in dict.sorted(by: { $0.key < $1.key }) {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    newline(level: level + 1)
                    writeString(key)
                    bytes.append(UInt8(ascii: ":"))
                    if pretty { bytes.append(UInt8(ascii: " ")) }
                    write(member, level: level + 1)
                }
                newline(level: level)
                bytes.append(UInt8(ascii: "}"))
            }
        }

        private mutating func newline(level: Int) {
            guard pretty else { return }
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
        }

        private mutating func append(_ text: String) {
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }

        /// Only `"`, `\\` and control characters are escaped; every other byte, multi-byte UTF-8
        /// sequences included, is copied as it is.
        private mutating func writeString(_ s: String) {
            var s = s
            bytes.append(UInt8(ascii: "\""))
            s.withUTF8 { utf8 in
                var run = 0  // start of the bytes not yet copied
                for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                    run = i + 1
                    bytes.append(UInt8(ascii: "\\"))
                    switch byte {
                    case 0x22: bytes.append(UInt8(ascii: "\""))
                    case 0x5C: bytes.append(UInt8(ascii: "\\"))
                    case 0x0A: bytes.append(UInt8(ascii: "n"))
                    case 0x0D: bytes.append(UInt8(ascii: "r"))
                    case 0x09: bytes.append(UInt8(ascii: "t"))
                    case 0x08: bytes.append(UInt8(ascii: "b"))
                    case 0x0C: bytes.append(UInt8(ascii: "f"))
                    default: append("u00" + ContentHash.hex([byte]))
                    }
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Parses JSON text into a ``Value``. Integers stay integers; other numbers become doubles.
    public static func decode(_ text: String) throws(JSONParseError) -> Value {
        var parser = JSONParser(text)
        return try parser.parseDocument()
    }
}
