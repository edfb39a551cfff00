/// Markdown code fences (```` ```lang ```` … ```` ``` ````, or `~~~`) around or inside a model's output.
enum CodeFence {
    struct Block {
        /// The info string after the opening fence, e.g. `json`.
        var info: String
        /// The lines between the fences, joined with `\n`.
        var content: String
        /// How many lines of the whole text come before the first content line.
        var contentLineOffset: Int
    }

    /// The block when the whole text (ignoring blank lines around it) is one fenced block. An opening
    /// fence with no closing fence (a truncated answer) counts as a block running to the end.
    static func surrounding(_ text: String) -> Block? {
        let lines = TextLines.split(text)
        guard let first = lines.firstIndex(where: { !isBlank($0) }),
            let last = lines.lastIndex(where: { !isBlank($0) }),
            let opening = openingFence(lines[first])
        else { return nil }
        let close = (first + 1..<lines.count).first { isClosingFence(lines[$0], for: opening) }
        switch close {
        case nil:
            return Block(
                info: opening.info, content: lines[(first + 1)...].joined(separator: "\n"), contentLineOffset: first + 1
            )
        case last?:
            return Block(
                info: opening.info, content: lines[(first + 1)..<last].joined(separator: "\n"),
                contentLineOffset: first + 1)
        default:
            return nil
        }
    }

    /// The first complete fenced block anywhere in the text.
    static func first(in text: String) -> Block? {
        let lines = TextLines.split(text)
        var index = 0
        while index < lines.count {
            if let opening = openingFence(lines[index]),
                let close = (index + 1..<lines.count).first(where: { isClosingFence(lines[$0], for: opening) })
            {
                return Block(
                    info: opening.info, content: lines[(index + 1)..<close].joined(separator: "\n"),
                    contentLineOffset: index + 1)
            }
            index += 1
        }
        return nil
    }

    /// The text inside a surrounding fence, or the text unchanged when it is not fenced.
    static func stripSurrounding(_ text: String) -> String {
        surrounding(text)?.content ?? text
    }

    struct Opening {
        var character: Character
        var count: Int
        var info: String
    }

    static func openingFence(_ line: String) -> Opening? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard let character = trimmed.first, character == "`" || character == "~" else { return nil }
        let count = trimmed.prefix { $0 == character }.count
        guard count >= 3 else { return nil }
        let info = PostProcessor.trimmed(String(trimmed.dropFirst(count)))
        if character == "`", info.contains("`") { return nil }
        return Opening(character: character, count: count, info: info)
    }

    static func isClosingFence(_ line: String, for opening: Opening) -> Bool {
        let trimmed = PostProcessor.trimmed(line)
        return trimmed.count >= opening.count && trimmed.allSatisfy { $0 == opening.character }
    }

    private static func isBlank(_ line: String) -> Bool {
        line.allSatisfy(\.isWhitespace)
    }
}
