import Foundation

/// A compiled regular expression (ICU syntax, as `NSRegularExpression` on every platform), compared
/// and hashed by its pattern text so values holding one stay `Hashable`.
///
/// Used by the `regex` and `replace` post-processors and by the `pattern` keyword of ``JSONSchema``.
/// Matching is unanchored: `a+` finds `aa` inside `baab`; use `^`/`$` to anchor, `(?i)` for
/// case-insensitive and `(?s)` for `.` matching line breaks.
public struct RegexPattern: Sendable, Hashable, CustomStringConvertible {
    /// One match: the text of each capture group (`nil` for a group that did not participate).
    public struct Match: Sendable, Hashable {
        /// Index 0 is the whole match.
        public var groups: [String?]
        /// Named groups by name.
        public var named: [String: String?]
    }

    public let pattern: String
    private let box: Box

    /// Compiles `pattern`; the error's message says what is wrong with it.
    public init(_ pattern: String) throws(RegexPatternError) {
        do {
            let regex = try NSRegularExpression(pattern: pattern)
            self.pattern = pattern
            self.box = Box(regex: regex, names: RegexPattern.groupNames(in: pattern))
        } catch {
            throw RegexPatternError(pattern: pattern, reason: RegexPattern.explain(pattern))
        }
    }

    /// Number of capture groups, not counting the whole match.
    public var captureGroupCount: Int { box.regex.numberOfCaptureGroups }

    /// Names of the named capture groups `(?<name>…)`, in order.
    public var groupNames: [String] { box.names }

    public var description: String { pattern }

    public static func == (lhs: RegexPattern, rhs: RegexPattern) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    public func hasMatch(in text: String) -> Bool {
        box.regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    public func firstMatch(in text: String) -> Match? {
        box.regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)).map { match(from: $0, in: text) }
    }

    public func matches(in text: String) -> [Match] {
        box.regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match(from: $0, in: text) }
    }

    /// Replaces every match with `template`, where `$1`…`$9` (and `${name}`) insert groups, `$0` the whole
    /// match, and `\$` a literal dollar sign.
    public func replacingMatches(in text: String, with template: String) -> String {
        box.regex.stringByReplacingMatches(
            in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
    }

    private func match(from result: NSTextCheckingResult, in text: String) -> Match {
        var groups: [String?] = []
        for index in 0..<result.numberOfRanges {
            groups.append(substring(result.range(at: index), in: text))
        }
        var named: [String: String?] = [:]
        for name in box.names {
            named[name] = substring(result.range(withName: name), in: text)
        }
        return Match(groups: groups, named: named)
    }

    private func substring(_ range: NSRange, in text: String) -> String? {
        guard range.location != NSNotFound, let r = Range(range, in: text) else { return nil }
        return String(text[r])
    }

    /// `NSRegularExpression`'s errors do not say what is wrong; Swift's own regex parser usually does.
    private static func explain(_ pattern: String) -> String {
        do {
            _ = try Regex(pattern)
        } catch {
            let text = "\(error)"
            if !text.isEmpty { return text }
        }
        return "not a valid ICU regular expression"
    }

    private static func groupNames(in pattern: String) -> [String] {
        var names: [String] = []
        let scalars = Array(pattern.unicodeScalars)
        var i = 0
        var inClass = false
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" {
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
            } else if c == "(", i + 3 < scalars.count, scalars[i + 1] == "?", scalars[i + 2] == "<",
                scalars[i + 3] != "=", scalars[i + 3] != "!"
            {
                var j = i + 3
                var name = String.UnicodeScalarView()
                while j < scalars.count, scalars[j] != ">" {
                    name.append(scalars[j])
                    j += 1
                }
                names.append(String(name))
                i = j
            }
            i += 1
        }
        return names
    }

    private final class Box: @unchecked Sendable {
        // NSRegularExpression is immutable and documented as safe to use from several threads.
        let regex: NSRegularExpression
        let names: [String]

        init(regex: NSRegularExpression, names: [String]) {
            self.regex = regex
            self.names = names
        }
    }
}

/// A pattern that does not compile.
public struct RegexPatternError: Error, Sendable, Hashable, CustomStringConvertible {
    public var pattern: String
    /// What is wrong, e.g. `expected ')'`.
    public var reason: String

    public var description: String { "invalid regular expression '\(pattern)': \(reason)" }
}
