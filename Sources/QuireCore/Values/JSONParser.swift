import Foundation

/// A JSON syntax error with the 1-based line and column where it was found.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public var description: String { "\(line):\(column): \(message)" }
}

/// A small strict JSON parser (RFC 8259) producing ``Value``; it reports positions and bounds nesting depth.
///
/// It reads UTF-8 bytes (every model answer and journal line goes through it) and works out the line
/// and column — counted in Unicode scalars — only when it reports an error.
struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    static let maxDepth = 512

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func parseDocument() throws(JSONParseError) -> Value {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index < bytes.count { throw fail("unexpected '\(scalar(at: index).escapedForMessage)' after the JSON value") }
        return value
    }

    private func fail(_ message: String) -> JSONParseError { fail(message, at: index) }

    /// An error at byte `offset`: line and column (in scalars) counted from the start.
    private func fail(_ message: String, at offset: Int) -> JSONParseError {
        var line = 1, column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(message: message, line: line, column: column)
    }

    /// The scalar that starts at byte `offset` (the input came from a `String`: it is valid UTF-8).
    private func scalar(at offset: Int) -> Unicode.Scalar {
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self).unicodeScalars.first ?? "?"
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ word: StaticString) throws(JSONParseError) {
        let start = index
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in expected {
            guard current == byte else { throw fail("invalid literal, expected '\(word)'", at: start) }
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> Value {
        guard depth < JSONParser.maxDepth else { throw fail("JSON nested deeper than \(JSONParser.maxDepth) levels") }
        guard let c = current else { throw fail("unexpected end of JSON") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected '\(scalar(at: index).escapedForMessage)'")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> Value {
        index += 1
        var result: [String: Value] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(result) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            result[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            if current == UInt8(ascii: "}") { index += 1; return .object(result) }
            throw fail("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> Value {
        index += 1
        var result: [Value] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .list(result) }
        while true {
            skipWhitespace()
            result.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            if current == UInt8(ascii: "]") { index += 1; return .list(result) }
            throw fail("expected ',' or ']' in an array")
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        // Most strings have no escapes: one copy of their bytes.
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while true {
            guard let c = current else { throw fail("unterminated string") }
            if c == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw fail("control character in a string") }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                index += 1
                continue
            }
            index += 1
            guard let e = current else { throw fail("unterminated escape") }
            let escapeAt = index
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard current == UInt8(ascii: "\\") else { throw fail("unpaired surrogate") }
                    index += 1
                    guard current == UInt8(ascii: "u") else { throw fail("unpaired surrogate") }
                    index += 1
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid low surrogate") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("invalid unicode escape") }
                out.append(contentsOf: UTF8.encode(scalar)!)
            default:
                index = escapeAt + 1
                throw fail("invalid escape '\\\(scalar(at: escapeAt).escapedForMessage)'", at: escapeAt + 1)
            }
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            let digit: UInt32
            switch current {
            case let c? where c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case let c? where c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case let c? where c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            code = code * 16 + digit
            index += 1
        }
        return code
    }

    private func isDigit(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        return c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }

    private mutating func parseNumber() throws(JSONParseError) -> Value {
        let start = index
        var isInteger = true
        if current == UInt8(ascii: "-") { index += 1 }
        guard isDigit(current) else { throw fail("invalid number") }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(current) { index += 1 }
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard isDigit(current) else { throw fail("invalid number: digits expected after '.'") }
            while isDigit(current) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard isDigit(current) else { throw fail("invalid number: digits expected in exponent") }
            while isDigit(current) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw fail("invalid number") }
        return .double(d)
    }
}

extension Unicode.Scalar {
    var escapedForMessage: String {
        value < 0x20 || value == 0x7F ? String(format: "\\u{%X}", value) : String(self)
    }
}
