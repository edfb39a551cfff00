/// Extraction of Markdown-style list items from a model's output, for `bullet_list`, `numbered_list` and `list`.
///
/// Rules (documented in `docs/post-processors.md`):
/// - An item is a line starting (after indentation) with a bullet (`-`, `*`, `+`, `•`, `◦`, `‣`, `–`) or a
///   number followed by `.` or `)` (`1.`, `12)`), then a space. The marker and surrounding spaces are removed.
/// - The first item's indentation is the list's level. A more indented item of either kind is a
///   nested item: it joins its parent item after `"; "`.
/// - A non-item line continues the current item (joined after a space) when it directly follows it
///   (Markdown's lazy continuation) or when it is indented deeper than the list after a blank line.
/// - Anything else ends the current item: a blank line followed by unindented text, a heading (`#`),
///   a code fence, a horizontal rule, or an item of a kind the processor does not accept. Text
///   before the first item and after the list is ignored; empty items are dropped.
enum ListItems {
    enum Marker: Hashable {
        case bullet, number
    }

    static let bullets: Set<Character> = ["-", "*", "+", "•", "◦", "‣", "–"]

    static func extract(from text: String, accepting accepted: Set<Marker>) -> [String] {
        var items: [String] = []
        var current: String?
        var listIndent: Int?
        var afterBlank = false

        func finish() {
            if let item = current, !item.isEmpty { items.append(item) }
            current = nil
        }
        func append(_ text: String, separator: String) {
            guard !text.isEmpty else { return }
            current = current!.isEmpty ? text : current! + separator + text
        }

        for line in TextLines.split(text) {
            let indent = indentation(of: line)
            let content = PostProcessor.trimmed(line)
            if content.isEmpty {
                afterBlank = true
                continue
            }
            defer { afterBlank = false }
            if isBreak(content) {
                finish()
                continue
            }
            if let (marker, rest) = item(in: content) {
                if current != nil, let level = listIndent, indent > level {
                    append(rest, separator: "; ")
                } else if accepted.contains(marker) {
                    finish()
                    if listIndent == nil { listIndent = indent }
                    current = rest
                } else {
                    finish()
                }
                continue
            }
            if current != nil, !afterBlank || indent > (listIndent ?? 0) {
                append(content, separator: " ")
            } else {
                finish()
            }
        }
        finish()
        return items
    }

    /// Leading whitespace width, a tab counting as 4.
    static func indentation(of line: String) -> Int {
        var width = 0
        for character in line {
            if character == " " {
                width += 1
            } else if character == "\t" {
                width += 4
            } else {
                break
            }
        }
        return width
    }

    /// The marker kind and the item text, if the (trimmed) line is a list item.
    static func item(in content: String) -> (Marker, String)? {
        guard let first = content.first else { return nil }
        if bullets.contains(first) {
            let rest = content.dropFirst()
            guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
            return (.bullet, PostProcessor.trimmed(String(rest)))
        }
        let digits = content.prefix { $0.isASCII && $0.isNumber }
        guard (1...9).contains(digits.count) else { return nil }
        let rest = content.dropFirst(digits.count)
        guard let delimiter = rest.first, delimiter == "." || delimiter == ")" else { return nil }
        let after = rest.dropFirst()
        guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
        return (.number, PostProcessor.trimmed(String(after)))
    }

    /// Headings, fences and horizontal rules end a list item.
    private static func isBreak(_ content: String) -> Bool {
        let hashes = content.prefix { $0 == "#" }.count
        if (1...6).contains(hashes) {
            let after = content.dropFirst(hashes).first
            if after == nil || after == " " || after == "\t" { return true }
        }
        if content.hasPrefix("```") || content.hasPrefix("~~~") { return true }
        let marks = content.filter { $0 != " " && $0 != "\t" }
        if marks.count >= 3, let first = marks.first, first == "-" || first == "*" || first == "_",
            marks.allSatisfy({ $0 == first })
        {
            return true
        }
        return false
    }
}
