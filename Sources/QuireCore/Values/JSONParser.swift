import Foundation

/// A JSON syntax error with the 1-based line and column where it was found.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int

    public var description: String { "\(line):\(column): \(message)" }
}

/// A small strict JSON parser (RFC 8259) producing ``Value``; it reports positions and bounds nesting depth.
struct JSONParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1
    static let maxDepth = 512

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    mutating func parseDocument() throws(JSONParseError) -> Value {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index < scalars.count { throw fail("unexpected '\(scalars[index].escapedForMessage)' after the JSON value") }
        return value
    }

    private func fail(_ message: String) -> JSONParseError {
        JSONParseError(message: message, line: line, column: column)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func advance() {
        if scalars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    private mutating func skipWhitespace() {
        while let c = current, c == " " || c == "\n" || c == "\r" || c == "\t" { advance() }
    }

    private mutating func expect(_ word: String) throws(JSONParseError) {
        let start = JSONParseError(message: "invalid literal, expected '\(word)'", line: line, column: column)
        for scalar in word.unicodeScalars {
            guard current == scalar else { throw start }
            advance()
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> Value {
        guard depth < JSONParser.maxDepth else { throw fail("JSON nested deeper than \(JSONParser.maxDepth) levels") }
        guard let c = current else { throw fail("unexpected end of JSON") }
        switch c {
        case "{": return try parseObject(depth: depth)
        case "[": return try parseArray(depth: depth)
        case "\"": return .string(try parseString())
        case "t": try expect("true"); return .bool(true)
        case "f": try expect("false"); return .bool(false)
        case "n": try expect("null"); return .null
        case "-", "0"..."9": return try parseNumber()
        default: throw fail("unexpected '\(c.escapedForMessage)'")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> Value {
        advance()
        var result: [String: Value] = [:]
        skipWhitespace()
        if current == "}" { advance(); return .object(result) }
        while true {
            skipWhitespace()
            guard current == "\"" else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard current == ":" else { throw fail("expected ':' after an object key") }
            advance()
            skipWhitespace()
            result[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            if current == "," { advance(); continue }
            if current == "}" { advance(); return .object(result) }
            throw fail("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> Value {
        advance()
        var result: [Value] = []
        skipWhitespace()
        if current == "]" { advance(); return .list(result) }
        while true {
            skipWhitespace()
            result.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == "," { advance(); continue }
            if current == "]" { advance(); return .list(result) }
            throw fail("expected ',' or ']' in an array")
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        advance()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw fail("unterminated string") }
            if c == "\"" { advance(); return String(out) }
            if c.value < 0x20 { throw fail("control character in a string") }
            if c == "\\" {
                advance()
                guard let e = current else { throw fail("unterminated escape") }
                advance()
                switch e {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "/": out.append("/")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard current == "\\" else { throw fail("unpaired surrogate") }
                        advance()
                        guard current == "u" else { throw fail("unpaired surrogate") }
                        advance()
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid low surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid unicode escape") }
                    out.append(scalar)
                default: throw fail("invalid escape '\\\(e.escapedForMessage)'")
                }
                continue
            }
            out.append(c)
            advance()
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current, let digit = UInt32(String(c), radix: 16) else {
                throw fail("invalid \\u escape")
            }
            code = code * 16 + digit
            advance()
        }
        return code
    }

    private mutating func parseNumber() throws(JSONParseError) -> Value {
        var text = ""
        var isInteger = true
        if current == "-" { text.append("-"); advance() }
        guard let first = current, ("0"..."9").contains(first) else { throw fail("invalid number") }
        if first == "0" {
            text.append("0"); advance()
        } else {
            while let c = current, ("0"..."9").contains(c) { text.unicodeScalars.append(c); advance() }
        }
        if current == "." {
            isInteger = false
            text.append("."); advance()
            guard let c = current, ("0"..."9").contains(c) else { throw fail("invalid number: digits expected after '.'") }
            while let c = current, ("0"..."9").contains(c) { text.unicodeScalars.append(c); advance() }
        }
        if current == "e" || current == "E" {
            isInteger = false
            text.append("e"); advance()
            if current == "+" || current == "-" { text.unicodeScalars.append(current!); advance() }
            guard let c = current, ("0"..."9").contains(c) else { throw fail("invalid number: digits expected in exponent") }
            while let c = current, ("0"..."9").contains(c) { text.unicodeScalars.append(c); advance() }
        }
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
