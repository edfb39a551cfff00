/// Whitespace rules applied to the text between tags before parsing.
///
/// 1. **Standalone lines.** A line that holds only block tags (`{% … %}`) and comments (`{# … #}`) plus
///    spaces or tabs disappears completely: its indentation, the spaces between and after the tags, and
///    the one line break that ends it. This gives the effect of Jinja's `trim_blocks` + `lstrip_blocks`
///    for the common case, without Jinja's surprise of eating the line break after an inline tag such
///    as `Tone: {% if formal %}formal{% endif %}`. `{{ … }}` tags are never affected.
/// 2. **Whitespace control.** A `-` just inside a delimiter (`{{-`, `-}}`, `{%-`, `-%}`, `{#-`, `-#}`)
///    removes all whitespace, line breaks included, from the adjacent text on that side.
enum TemplateWhitespace {
    static func apply(to pieces: inout [TemplateLexer.Piece], scalars: [Unicode.Scalar]) {
        let count = pieces.count
        var stripStart = [Int](repeating: 0, count: count)
        var stripEnd = [Int](repeating: 0, count: count)

        func isStatement(_ i: Int) -> Bool {
            if case .tag(let tag) = pieces[i], tag.kind != .output { return true }
            return false
        }
        func isHorizontal(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }
        func isHorizontalOnly(_ text: TemplateLexer.Text) -> Bool {
            !text.isRaw && (text.start..<text.end).allSatisfy { isHorizontal(scalars[$0]) }
        }

        var i = 0
        while i < count {
            guard isStatement(i) else {
                i += 1
                continue
            }
            // The group of statements on this line: tags separated by nothing or by spaces and tabs.
            var j = i
            while true {
                if j + 1 < count, isStatement(j + 1) {
                    j += 1
                    continue
                }
                if j + 2 < count, case .text(let text) = pieces[j + 1], isHorizontalOnly(text), isStatement(j + 2) {
                    j += 2
                    continue
                }
                break
            }
            // Left: start of the template or of a line, then only spaces and tabs.
            var left: (index: Int, count: Int)?
            var leftOK = false
            if i == 0 {
                leftOK = true
            } else if case .text(let text) = pieces[i - 1] {
                var k = text.end
                while k > text.start, isHorizontal(scalars[k - 1]) { k -= 1 }
                if k > text.start, scalars[k - 1] == "\n" || scalars[k - 1] == "\r" {
                    leftOK = true
                    left = (i - 1, text.end - k)
                } else if k == text.start, i - 1 == 0 {
                    leftOK = true
                    left = (i - 1, text.end - k)
                }
            }
            // Right: only spaces and tabs, then a line break or the end of the template.
            var right: (index: Int, count: Int)?
            var rightOK = false
            if leftOK {
                if j == count - 1 {
                    rightOK = true
                } else if case .text(let text) = pieces[j + 1] {
                    var k = text.start
                    while k < text.end, isHorizontal(scalars[k]) { k += 1 }
                    if k == text.end {
                        rightOK = j + 1 == count - 1
                    } else if scalars[k] == "\n" {
                        k += 1
                        rightOK = true
                    } else if scalars[k] == "\r" {
                        k += 1
                        if k < text.end, scalars[k] == "\n" { k += 1 }
                        rightOK = true
                    }
                    if rightOK { right = (j + 1, k - text.start) }
                }
            }
            if leftOK && rightOK {
                if let left { stripEnd[left.index] = max(stripEnd[left.index], left.count) }
                if let right { stripStart[right.index] = max(stripStart[right.index], right.count) }
                for k in i...j {
                    if case .text(let text) = pieces[k] { stripStart[k] = text.end - text.start }
                }
            }
            i = j + 1
        }

        // Whitespace control with `-`.
        for k in 0..<count {
            guard case .tag(let tag) = pieces[k] else { continue }
            if tag.trimBefore, k > 0, case .text(let text) = pieces[k - 1] {
                var e = text.end
                while e > text.start, scalars[e - 1].properties.isWhitespace { e -= 1 }
                stripEnd[k - 1] = max(stripEnd[k - 1], text.end - e)
            }
            if tag.trimAfter, k + 1 < count, case .text(let text) = pieces[k + 1] {
                var s = text.start
                while s < text.end, scalars[s].properties.isWhitespace { s += 1 }
                stripStart[k + 1] = max(stripStart[k + 1], s - text.start)
            }
        }

        for k in 0..<count {
            guard case .text(var text) = pieces[k] else { continue }
            text.start = min(text.end, text.start + stripStart[k])
            text.end = max(text.start, text.end - stripEnd[k])
            pieces[k] = .text(text)
        }
    }
}
