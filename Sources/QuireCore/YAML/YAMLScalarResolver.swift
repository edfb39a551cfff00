/// Decides what a plain (unquoted, untagged) YAML scalar is — null, bool, int, float or string — by
/// the same rules as Yams' default resolver (YAML 1.1 spellings: `yes`/`no`/`on`/`off`, `0o17`,
/// `1_000`, sexagesimal `1:30`, `.inf`, `.nan`), checked in the same order: bool, int, float, then null.
///
/// Yams applies those rules with `NSRegularExpression`, which costs a regular-expression compile
/// (ICU's static sets) per process and a match per key and value — a measurable part of loading a
/// workspace. Here they are plain character scans; `YAMLScalarResolverTests` checks them against
/// Yams' resolver on a corpus of scalars.
enum YAMLScalarResolver {
    static func tag(of text: String) -> YAMLNode.ScalarTag {
        let bytes = Array(text.utf8)
        if isBool(bytes) { return .bool }
        if isInt(bytes) { return .int }
        if isFloat(bytes) { return .float }
        if isNull(bytes) { return .null }
        return .string
    }

    private static let bools: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    static func isBool(_ bytes: [UInt8]) -> Bool {
        bytes.count <= 5 && bools.contains(String(decoding: bytes, as: UTF8.self))
    }

    static func isNull(_ bytes: [UInt8]) -> Bool {
        switch String(decoding: bytes, as: UTF8.self) {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    // MARK: - int
    // [-+]?0b[0-1_]+ | [-+]?0o?[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
    // | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+

    static func isInt(_ bytes: [UInt8]) -> Bool {
        var s = bytes[...]
        if let first = s.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { s = s.dropFirst() }
        guard let first = s.first else { return false }
        if first == UInt8(ascii: "0") {
            let rest = s.dropFirst()
            if rest.isEmpty { return true }  // 0
            if rest.first == UInt8(ascii: "b") { return all(rest.dropFirst(), nonEmpty: true) { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F } }
            if rest.first == UInt8(ascii: "x") { return all(rest.dropFirst(), nonEmpty: true) { isHex($0) || $0 == 0x5F } }
            // 0o?[0-7_]+ : after "0", either "o" then octal digits, or octal digits directly.
            if rest.first == UInt8(ascii: "o") { return all(rest.dropFirst(), nonEmpty: true) { isOctal($0) || $0 == 0x5F } }
            return all(rest, nonEmpty: true) { isOctal($0) || $0 == 0x5F }
        }
        guard isDigit(first) else { return false }
        // [1-9][0-9_]* optionally followed by sexagesimal parts.
        let integerEnd = s.firstIndex { !(isDigit($0) || $0 == 0x5F) } ?? s.endIndex
        if integerEnd == s.endIndex { return true }
        return isSexagesimalTail(s[integerEnd...])
    }

    // MARK: - float
    // [-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)?
    // | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)

    static func isFloat(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        switch text {
        case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF":
            return true
        default: break
        }
        // \.[0-9_]+(?:[eE][-+][0-9]+)?  (no sign; the exponent needs its sign)
        if bytes.first == UInt8(ascii: ".") {
            var s = bytes[...].dropFirst()
            let end = s.firstIndex { !(isDigit($0) || $0 == 0x5F) } ?? s.endIndex
            guard end > s.startIndex else { return false }
            s = s[end...]
            if s.isEmpty { return true }
            guard s.first == UInt8(ascii: "e") || s.first == UInt8(ascii: "E") else { return false }
            s = s.dropFirst()
            guard let sign = s.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") else { return false }
            return all(s.dropFirst(), nonEmpty: true, isDigit)
        }
        var s = bytes[...]
        if let first = s.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { s = s.dropFirst() }
        guard let first = s.first, isDigit(first) else { return false }
        let integerEnd = s.firstIndex { !(isDigit($0) || $0 == 0x5F) } ?? s.endIndex
        var rest = s[integerEnd...]
        if rest.first == UInt8(ascii: ":") {
            // [0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
            guard let dot = rest.firstIndex(of: UInt8(ascii: ".")) else { return false }
            guard isSexagesimalTail(rest[..<dot]) else { return false }
            return all(rest[(dot + 1)...], nonEmpty: false) { isDigit($0) || $0 == 0x5F }
        }
        // (?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            let fractionEnd = rest.firstIndex { !(isDigit($0) || $0 == 0x5F) } ?? rest.endIndex
            rest = rest[fractionEnd...]
        }
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") else { return false }
        rest = rest.dropFirst()
        if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { rest = rest.dropFirst() }
        return all(rest, nonEmpty: true, isDigit)
    }

    // MARK: - Pieces

    /// (?::[0-5]?[0-9])+ — one or more `:` groups of one digit, or two with the first 0–5.
    private static func isSexagesimalTail(_ tail: ArraySlice<UInt8>) -> Bool {
        var s = tail
        guard !s.isEmpty else { return false }
        while let colon = s.first {
            guard colon == UInt8(ascii: ":") else { return false }
            s = s.dropFirst()
            let digits = s.prefix { isDigit($0) }
            switch digits.count {
            case 1: break
            case 2: guard digits.first! <= UInt8(ascii: "5") else { return false }
            default: return false
            }
            s = s.dropFirst(digits.count)
        }
        return true
    }

    private static func all(_ s: ArraySlice<UInt8>, nonEmpty: Bool, _ predicate: (UInt8) -> Bool) -> Bool {
        if nonEmpty && s.isEmpty { return false }
        return s.allSatisfy(predicate)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isOctal(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x37 }
    private static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) }
}
