import QuireCore

/// The fake server's deterministic rules, public so tests can predict its answers.
///
/// - Default answer: `echo: <last user message> [<h>]` where `<h>` is the first 8 hex digits of the
///   SHA-256 of the messages as canonical JSON (`[{"content":…,"role":…},…]`, sorted keys, compact).
/// - Tokens are whitespace-separated words. `prompt_tokens` = the words of all message contents;
///   `completion_tokens` = the words of the answer as sent; `total_tokens` = their sum.
/// - An output limit (`max_completion_tokens`, else `max_tokens`) smaller than the answer keeps its
///   first N words joined by single spaces and reports `finish_reason: "length"`.
/// - A `stop` sequence found in the answer cuts it just before the sequence (`finish_reason: "stop"`).
/// - A stream sends one chunk per word, each word with the whitespace before it, so the chunks
///   concatenate to the answer exactly.
public enum FakeReply {
    /// The default answer to `messages`.
    public static func defaultReply(to messages: [(role: String, content: String)]) -> String {
        let canonical = Value.list(messages.map { ["role": .string($0.role), "content": .string($0.content)] })
        let hash = String(ContentHash.sha256(JSONText.encode(canonical, pretty: false)).prefix(8))
        let last = messages.last { $0.role == "user" }?.content ?? ""
        return last.isEmpty ? "echo: [\(hash)]" : "echo: \(last) [\(hash)]"
    }

    /// The default answer to `messages`.
    public static func defaultReply(to messages: [ChatMessage]) -> String {
        defaultReply(to: messages.map { ($0.role.rawValue, $0.content) })
    }

    /// Whitespace-separated words (`Character.isWhitespace`). ASCII text — nearly every prompt — is
    /// counted over its bytes: splitting into `Character`s was a quarter of the benchmark server's CPU.
    public static func tokenCount(_ text: String) -> Int {
        var text = text
        let ascii = text.withUTF8 { bytes -> Int? in
            var count = 0
            var inWord = false
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                // ASCII whitespace: tab, line feed, vertical tab, form feed, carriage return, space.
                let space = byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
                if !space && !inWord { count += 1 }
                inWord = !space
            }
            return count
        }
        return ascii ?? text.split(whereSeparator: \.isWhitespace).count
    }

    public static func promptTokens(_ messages: [(role: String, content: String)]) -> Int {
        messages.reduce(0) { $0 + tokenCount($1.content) }
    }

    public static func promptTokens(_ messages: [ChatMessage]) -> Int {
        promptTokens(messages.map { ($0.role.rawValue, $0.content) })
    }

    /// Applies the stop sequences and the output limit: the text sent and its finish reason.
    public static func finish(_ text: String, maxTokens: Int?, stop: [String]) -> (text: String, finishReason: String)
    {
        var text = text
        for sequence in stop where !sequence.isEmpty {
            if let range = text.range(of: sequence) { text = String(text[..<range.lowerBound]) }
        }
        if let maxTokens, tokenCount(text) > max(0, maxTokens) {
            let kept = text.split(whereSeparator: \.isWhitespace).prefix(max(0, maxTokens))
            return (kept.joined(separator: " "), "length")
        }
        return (text, "stop")
    }

    /// The stream chunks of `text`: each word with the whitespace before it.
    public static func streamPieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var inWord = false
        for character in text {
            if character.isWhitespace {
                if inWord {
                    pieces.append(current)
                    current = ""
                    inWord = false
                }
                current.append(character)
            } else {
                inWord = true
                current.append(character)
            }
        }
        if !current.isEmpty {
            if inWord || pieces.isEmpty { pieces.append(current) } else { pieces[pieces.count - 1] += current }
        }
        return pieces
    }
}
