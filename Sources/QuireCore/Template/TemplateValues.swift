/// Value operations with the template language's semantics (numbers compare across integer and
/// double; equality is structural).
enum TemplateValues {
    static func isNumber(_ value: Value) -> Bool {
        switch value {
        case .int, .double: true
        default: false
        }
    }

    /// `a < b` for two numbers, exact for two integers.
    static func numericLess(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): x < y
        case (.int(let x), .double(let y)): Double(x) < y
        case (.double(let x), .int(let y)): x < Double(y)
        case (.double(let x), .double(let y)): x < y
        default: false
        }
    }

    /// The integer equal to `value`, if there is one.
    static func exactInt(_ value: Double) -> Int? {
        guard value.isFinite, value >= -9.223372036854775e18, value <= 9.223372036854775e18 else { return nil }
        return Int(exactly: value)
    }

    /// A value that hashes equal to every value `equals` considers equal (integral doubles become integers).
    static func normalized(_ value: Value) -> Value {
        switch value {
        case .double(let d): exactInt(d).map(Value.int) ?? value
        case .list(let items): .list(items.map(normalized))
        case .object(let object): .object(object.mapValues(normalized))
        default: value
        }
    }

    /// Template equality: like `==` on values, but `1 == 1.0`.
    static func equals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y && exactInt(y) == x
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            return zip(x, y).allSatisfy { equals($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            return x.allSatisfy { key, value in y[key].map { equals(value, $0) } ?? false }
        default: return a == b
        }
    }

    /// `a string`, `an integer`, `null`, … for messages.
    static func withArticle(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .int, .object: "an \(value.typeName)"
        default: "a \(value.typeName)"
        }
    }

    static func overflow(at location: SourceLocation) -> DiagnosticError {
        DiagnosticError(.error(TemplateDiagnostics.typeError, "integer overflow", at: location))
    }

    /// Counts the elements of lists and objects inside `value` (recursively) and their nesting depth,
    /// without recursion, stopping once more than `limit` elements have been seen.
    static func measure(_ value: Value, limit: Int) -> (elements: Int, depth: Int) {
        var elements = 0
        var deepest = 0
        var stack: [(Value, Int)] = [(value, 0)]
        while let (current, depth) = stack.popLast() {
            switch current {
            case .list(let items):
                elements += items.count
                deepest = max(deepest, depth + 1)
                if elements > limit { return (elements, deepest) }
                for item in items where isContainer(item) { stack.append((item, depth + 1)) }
            case .object(let object):
                elements += object.count
                deepest = max(deepest, depth + 1)
                if elements > limit { return (elements, deepest) }
                for item in object.values where isContainer(item) { stack.append((item, depth + 1)) }
            default: break
            }
        }
        return (elements, deepest)
    }

    private static func isContainer(_ value: Value) -> Bool {
        switch value {
        case .list, .object: true
        default: false
        }
    }
}

/// Substring search in linear time (Knuth–Morris–Pratt over UTF-8 bytes).
enum TemplateTextSearch {
    /// Start offsets of non-overlapping occurrences of `needle`, left to right, at most `limit` of them.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8], limit: Int = .max) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count, limit > 0 else { return [] }
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0 && needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        var result: [Int] = []
        k = 0
        for (i, byte) in haystack.enumerated() {
            while k > 0 && byte != needle[k] { k = failure[k - 1] }
            if byte == needle[k] { k += 1 }
            if k == needle.count {
                result.append(i - needle.count + 1)
                if result.count == limit { break }
                k = 0
            }
        }
        return result
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        return !occurrences(of: Array(needle.utf8), in: Array(haystack.utf8), limit: 1).isEmpty
    }
}
