/// The `normalized` comparison: what may differ between a golden and an actual output without it
/// counting as a change.
///
/// In order: line breaks become `\n`; the step's own scrubbers replace their matches, then the
/// built-in ones replace ISO-8601 dates and times with `<date>` and UUIDs with `<uuid>`; then every
/// run of whitespace (line breaks included) counts as one space and the ends are trimmed.
public struct TextNormalizer: Sendable, Hashable {
    /// A regular expression whose matches are replaced before comparing (`$1` inserts a group).
    public struct Scrubber: Sendable, Hashable {
        public var pattern: RegexPattern
        public var replacement: String

        public init(pattern: RegexPattern, replacement: String) {
            self.pattern = pattern
            self.replacement = replacement
        }
    }

    /// The step's own scrubbers, applied before the built-in ones.
    public var scrubbers: [Scrubber]

    public init(scrubbers: [Scrubber] = []) { self.scrubbers = scrubbers }

    /// Dates (`2026-11-22`, `2026-11-22T09:30:15.123Z`, `2026-11-22 09:30+02:00`) and UUIDs.
    public static let builtInScrubbers: [Scrubber] = [
        Scrubber(
            pattern: try! RegexPattern("\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b"),
            replacement: "<date>"),
        Scrubber(
            pattern: try! RegexPattern("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b"),
            replacement: "<uuid>"),
    ]

    /// The text with line breaks unified and every scrubber applied, lines otherwise kept.
    public func scrubbed(_ text: String) -> String {
        var result = TextLines.normalizingNewlines(text)
        for scrubber in scrubbers + Self.builtInScrubbers {
            result = scrubber.pattern.replacingMatches(in: result, with: scrubber.replacement)
        }
        return result
    }

    /// What is compared: ``scrubbed(_:)`` with every whitespace run collapsed to one space, trimmed.
    public func normalize(_ text: String) -> String {
        Self.collapse(scrubbed(text)).joined(separator: " ")
    }

    /// A readable form for diffs: ``scrubbed(_:)`` with each line trimmed, runs of spaces collapsed and
    /// blank lines dropped, so only changes that matter show.
    public func display(_ text: String) -> String {
        let lines = TextLines.split(scrubbed(text)).map { Self.collapse($0).joined(separator: " ") }.filter { !$0.isEmpty }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    static func collapse(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0.isWhitespace })
    }
}
