import Foundation

extension PostProcessor {
    /// A failure message, turned into a ``PostProcessError`` by the pipeline.
    struct Failure: Error {
        var message: String
        var details: [String] = []
    }

    /// Applies this processor to the previous value (the raw output, as a string, for the first one).
    func apply(to value: Value) throws(Failure) -> Value {
        if mapsText { return try mapText(value) }
        if case .join(let separator) = self { return .string(try join(value, separator)) }
        guard case .string(let text) = value else {
            throw Failure(message: "expected text, got \(article(value.typeName))")
        }
        switch self {
        case .firstLine:
            guard let line = TextLines.split(text).lazy.map(PostProcessor.trimmed).first(where: { !$0.isEmpty }) else {
                throw Failure(message: "the output is empty")
            }
            return .string(line)
        case .bulletList, .numberedList, .list:
            return .list(try listItems(text).map(Value.string))
        case .lines:
            let lines = TextLines.split(text).map(PostProcessor.trimmed).filter { !$0.isEmpty }
            guard !lines.isEmpty else { throw Failure(message: "the output has no non-empty lines") }
            return .list(lines.map(Value.string))
        case .split(let separator):
            let pieces = text.components(separatedBy: separator).map(PostProcessor.trimmed).filter { !$0.isEmpty }
            guard !pieces.isEmpty else {
                throw Failure(message: "the output has no non-empty pieces between \(PostProcessor.quoted(separator))")
            }
            return .list(pieces.map(Value.string))
        case .regex(let pattern, let group, let all):
            return try extract(pattern, group, all: all, from: text)
        case .json(let schema):
            return try parseJSON(text, schema: schema)
        default:
            return value
        }
    }

    /// The text without leading and trailing white space, as Foundation's `.whitespacesAndNewlines`
    /// has it: the scalars with Unicode's White_Space property (tab to carriage return, space, U+0085,
    /// U+00A0, the Z* separators) and the zero-width space U+200B. Done on scalars rather than through
    /// NSString's UTF-16: `trim` runs on every answer of a fan-out.
    static func trimmed(_ text: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x80 ? scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace || scalar.value == 0x200B
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// `an integer`, `a list`, `null`.
    private func article(_ typeName: String) -> String {
        switch typeName {
        case "null": "null"
        case "integer", "object": "an \(typeName)"
        default: "a \(typeName)"
        }
    }

    // MARK: - Text mapping

    private func mapText(_ value: Value) throws(Failure) -> Value {
        switch value {
        case .string(let text):
            return .string(mapOne(text))
        case .list(let items):
            var mapped: [Value] = []
            mapped.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw Failure(message: "expected a list of texts, but item \(index) is \(article(item.typeName))")
                }
                mapped.append(.string(mapOne(text)))
            }
            return .list(mapped)
        default:
            throw Failure(message: "expected text or a list of texts, got \(article(value.typeName))")
        }
    }

    private func mapOne(_ text: String) -> String {
        switch self {
        case .trim: PostProcessor.trimmed(text)
        case .stripCodeFences: CodeFence.stripSurrounding(text)
        case .lowercase: text.lowercased()
        case .uppercase: text.uppercased()
        case .truncate(let count): String(text.prefix(count))
        case .replace(let pattern, let template): pattern.replacingMatches(in: text, with: template)
        default: text
        }
    }

    private func join(_ value: Value, _ separator: String) throws(Failure) -> String {
        guard case .list(let items) = value else {
            throw Failure(message: "expected a list, got \(article(value.typeName))")
        }
        var parts: [String] = []
        parts.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            switch item {
            case .list, .object:
                throw Failure(
                    message: "can only join texts and numbers, but item \(index) is \(article(item.typeName))")
            default:
                parts.append(item.renderedText)
            }
        }
        return parts.joined(separator: separator)
    }

    // MARK: - Lists

    private func listItems(_ text: String) throws(Failure) -> [String] {
        let accepted: Set<ListItems.Marker>
        switch self {
        case .bulletList: accepted = [.bullet]
        case .numberedList: accepted = [.number]
        default: accepted = [.bullet, .number]
        }
        let items = ListItems.extract(from: text, accepting: accepted)
        guard items.isEmpty else { return items }
        switch self {
        case .bulletList:
            let hint =
                ListItems.extract(from: text, accepting: [.number]).isEmpty
                ? "" : " (the output is a numbered list: use 'numbered_list' or 'list')"
            throw Failure(message: "no bullet items found: expected lines starting with '-', '*', '+' or '•'\(hint)")
        case .numberedList:
            let hint =
                ListItems.extract(from: text, accepting: [.bullet]).isEmpty
                ? "" : " (the output is a bullet list: use 'bullet_list' or 'list')"
            throw Failure(message: "no numbered items found: expected lines starting with '1.' or '1)'\(hint)")
        default:
            throw Failure(
                message: "no list items found: expected lines starting with '-', '*', '+', '•', '1.' or '1)'")
        }
    }

    // MARK: - Regex

    private func extract(_ pattern: RegexPattern, _ group: Group, all: Bool, from text: String) throws(Failure) -> Value
    {
        func captured(_ match: RegexPattern.Match) -> String? {
            switch group {
            case .number(let n): n < match.groups.count ? match.groups[n] : nil
            case .name(let name): match.named[name] ?? nil
            }
        }
        if all {
            let values = pattern.matches(in: text).compactMap(captured)
            guard !values.isEmpty else {
                throw Failure(message: "no match for \(PostProcessor.quoted(pattern.pattern)) in the output")
            }
            return .list(values.map(Value.string))
        }
        guard let match = pattern.firstMatch(in: text) else {
            throw Failure(message: "no match for \(PostProcessor.quoted(pattern.pattern)) in the output")
        }
        guard let value = captured(match) else {
            throw Failure(
                message: "group \(group) of \(PostProcessor.quoted(pattern.pattern)) did not take part in the match")
        }
        return .string(value)
    }

    // MARK: - JSON

    private func parseJSON(_ text: String, schema: JSONSchema?) throws(Failure) -> Value {
        let value: Value
        do {
            value = try JSONText.decode(text)
        } catch let direct {
            // Models often wrap JSON in a fence, sometimes with a sentence around it.
            guard let block = CodeFence.surrounding(text) ?? CodeFence.first(in: text) else {
                throw Failure(message: "invalid JSON at \(direct.line):\(direct.column): \(direct.message)")
            }
            do {
                value = try JSONText.decode(block.content)
            } catch let inner {
                let line = inner.line + block.contentLineOffset
                throw Failure(
                    message: "invalid JSON at \(line):\(inner.column) (inside the code fence): \(inner.message)")
            }
        }
        guard let schema else { return value }
        let violations = schema.validate(value)
        guard !violations.isEmpty else { return value }
        let details = violations.map(\.description)
        let shown = details.prefix(20).joined(separator: "; ")
        let more = details.count > 20 ? "; … and \(details.count - 20) more" : ""
        let summary = details.count == 1 ? "" : "\(details.count) schema violations: "
        throw Failure(message: "output does not match the schema: \(summary)\(shown)\(more)", details: details)
    }
}
