/// Removes secrets from text that may reach a user: error messages, server answers, library errors.
///
/// It replaces the configured secrets wherever they occur, and, defensively, anything that looks like
/// an OpenAI-style key (`sk-…`) or a bearer token, since servers echo keys in error messages.
public struct SecretScrubber: Sendable, Hashable {
    public static let redacted = "[REDACTED]"

    private let secrets: [String]

    /// Secrets shorter than 4 characters are ignored (replacing them would mangle ordinary text).
    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    public func scrub(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.redacted)
        }
        result = Self.redactPrefixed(result, prefix: "sk-", minimumTail: 8, keyCharacters: "-_*")
        result = Self.redactPrefixed(result, prefix: "Bearer ", minimumTail: 1, keyCharacters: "-_.*~+/=")
        return result
    }

    /// Replaces `prefix` followed by at least `minimumTail` key characters (letters, digits, `keyCharacters`),
    /// where `prefix` starts a word (so `mask-generator-large` is left alone).
    private static func redactPrefixed(_ text: String, prefix: String, minimumTail: Int, keyCharacters: String)
        -> String
    {
        guard text.contains(prefix) else { return text }
        var out = ""
        var rest = text[...]
        while let range = rest.range(of: prefix) {
            out += rest[..<range.lowerBound]
            let startsWord = out.last.map { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } ?? true
            let tail = rest[range.upperBound...].prefix { $0.isLetter || $0.isNumber || keyCharacters.contains($0) }
            if startsWord, tail.count >= minimumTail {
                out += prefix + redacted
                rest = rest[tail.endIndex...]
            } else {
                out += prefix
                rest = rest[range.upperBound...]
            }
        }
        out += rest
        return out
    }
}
