/// A line diff in the unified format of `diff -u`, as text or as structured hunks for colouring.
///
/// Lines end at `\n`, `\r\n` or a lone `\r` (as in ``TextLines``), and each line keeps its own
/// terminator: a line is equal to another only if its text *and* its line ending are equal, and the
/// rendered diff reproduces the original bytes of every line. A last line without a terminator is
/// followed by `\ No newline at end of file`, exactly as `diff -u` prints it.
///
/// The edit script comes from Myers' O(ND) algorithm in linear space (see `MyersDiff`). A common
/// prefix and suffix are stripped first, so large, mostly equal files are cheap; very dissimilar
/// inputs are bounded by a cost limit, which may give a longer (but still correct) diff.
public struct UnifiedDiff: Sendable, Hashable {
    /// One line of a hunk.
    public struct Line: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case context, removed, added

            /// The column-one marker of the unified format: `" "`, `"-"` or `"+"`.
            public var marker: String {
                switch self {
                case .context: " "
                case .removed: "-"
                case .added: "+"
                }
            }
        }

        public var kind: Kind
        /// The line's text without its terminator.
        public var text: String
        /// `"\n"`, `"\r\n"`, `"\r"`, or `""` for a last line with no line break.
        public var terminator: String

        public init(_ kind: Kind, _ text: String, terminator: String = "\n") {
            self.kind = kind
            self.text = text
            self.terminator = terminator
        }

        /// Whether `\ No newline at end of file` follows this line.
        public var isMissingNewline: Bool { terminator.isEmpty }
    }

    /// A run of changes with its surrounding context, `@@ -oldStart,oldCount +newStart,newCount @@`.
    public struct Hunk: Sendable, Hashable {
        /// 1-based first line in the old text, or the line before the hunk when `oldCount` is 0.
        public var oldStart: Int
        public var oldCount: Int
        /// 1-based first line in the new text, or the line before the hunk when `newCount` is 0.
        public var newStart: Int
        public var newCount: Int
        public var lines: [Line]

        /// `@@ -l,s +l,s @@`, with `,s` omitted when s is 1, as `diff -u` prints it.
        public var header: String {
            "@@ -\(Hunk.range(oldStart, oldCount)) +\(Hunk.range(newStart, newCount)) @@"
        }

        private static func range(_ start: Int, _ count: Int) -> String {
            count == 1 ? "\(start)" : "\(start),\(count)"
        }
    }

    public var oldName: String
    public var newName: String
    public var hunks: [Hunk]

    /// True when the two texts are equal.
    public var isEmpty: Bool { hunks.isEmpty }

    /// Number of added and removed lines.
    public var addedCount: Int { hunks.reduce(0) { $0 + $1.lines.count { $0.kind == .added } } }
    public var removedCount: Int { hunks.reduce(0) { $0 + $1.lines.count { $0.kind == .removed } } }

    /// The unified diff of two texts as `diff -u` would print it (without timestamps), or `""` when they are equal.
    public static func make(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        compare(old: old, new: new, oldName: oldName, newName: newName, context: context).rendered
    }

    /// The structured diff of two texts: hunks of context, removed and added lines.
    public static func compare(
        old: String, new: String, oldName: String, newName: String, context: Int = 3
    ) -> UnifiedDiff {
        let oldLines = splitKeepingTerminators(old)
        let newLines = splitKeepingTerminators(new)
        var ids: [TerminatedLine: Int] = [:]
        func id(_ line: TerminatedLine) -> Int {
            if let existing = ids[line] { return existing }
            let next = ids.count
            ids[line] = next
            return next
        }
        let a = oldLines.map(id)
        let b = newLines.map(id)
        var changes = MyersDiff.changes(a, b)
        MyersDiff.slideRuns(&changes, a, b, keepingEnds: max(0, context))
        let hunks = makeHunks(oldLines, newLines, changes, context: max(0, context))
        return UnifiedDiff(oldName: oldName, newName: newName, hunks: hunks)
    }

    /// The diff in unified format; `""` when there are no hunks.
    public var rendered: String {
        guard !hunks.isEmpty else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks {
            out += hunk.header
            out += "\n"
            for line in hunk.lines {
                out += line.kind.marker
                out += line.text
                if line.isMissingNewline {
                    out += "\n\\ No newline at end of file\n"
                } else {
                    out += line.terminator
                }
            }
        }
        return out
    }

    // MARK: - Implementation

    struct TerminatedLine: Hashable {
        var text: String
        var terminator: String
    }

    static func splitKeepingTerminators(_ text: String) -> [TerminatedLine] {
        var lines: [TerminatedLine] = []
        var current = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar == "\n" {
                lines.append(TerminatedLine(text: String(current), terminator: "\n"))
                current = String.UnicodeScalarView()
            } else if scalar == "\r" {
                if i + 1 < scalars.count, scalars[i + 1] == "\n" {
                    lines.append(TerminatedLine(text: String(current), terminator: "\r\n"))
                    i += 1
                } else {
                    lines.append(TerminatedLine(text: String(current), terminator: "\r"))
                }
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
            i += 1
        }
        if !current.isEmpty { lines.append(TerminatedLine(text: String(current), terminator: "")) }
        return lines
    }

    /// One step of the edit script; `old` and `new` are the cursors into each text before the step.
    private struct Op {
        var kind: Line.Kind
        var old: Int
        var new: Int
    }

    private static func makeHunks(
        _ old: [TerminatedLine], _ new: [TerminatedLine], _ changes: MyersDiff.Changes, context: Int
    ) -> [Hunk] {
        // The edit script in order: within a change, removals come before additions.
        var ops: [Op] = []
        ops.reserveCapacity(max(old.count, new.count))
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count, changes.removed[i] {
                ops.append(Op(kind: .removed, old: i, new: j))
                i += 1
            } else if j < new.count, changes.inserted[j] {
                ops.append(Op(kind: .added, old: i, new: j))
                j += 1
            } else {
                ops.append(Op(kind: .context, old: i, new: j))
                i += 1
                j += 1
            }
        }
        // Group changes whose separating run of equal lines is at most 2 × context long.
        var hunks: [Hunk] = []
        var index = 0
        while index < ops.count {
            if ops[index].kind == .context {
                index += 1
                continue
            }
            var end = index
            var lastChange = index
            while end < ops.count {
                if ops[end].kind == .context {
                    var run = end
                    while run < ops.count, ops[run].kind == .context { run += 1 }
                    if run == ops.count || run - end > 2 * context { break }
                    end = run
                } else {
                    lastChange = end
                    end += 1
                }
            }
            let start = max(0, index - context)
            let stop = min(ops.count, lastChange + 1 + context)
            hunks.append(hunk(ops[start..<stop], old, new))
            index = stop
        }
        return hunks
    }

    private static func hunk(_ ops: ArraySlice<Op>, _ old: [TerminatedLine], _ new: [TerminatedLine]) -> Hunk {
        var lines: [Line] = []
        lines.reserveCapacity(ops.count)
        var oldCount = 0, newCount = 0
        for op in ops {
            switch op.kind {
            case .context:
                oldCount += 1
                newCount += 1
                lines.append(Line(.context, old[op.old].text, terminator: old[op.old].terminator))
            case .removed:
                oldCount += 1
                lines.append(Line(.removed, old[op.old].text, terminator: old[op.old].terminator))
            case .added:
                newCount += 1
                lines.append(Line(.added, new[op.new].text, terminator: new[op.new].terminator))
            }
        }
        // An empty side is numbered by the line before it, as `diff -u` does (`-0,0` at the top).
        let first = ops[ops.startIndex]
        return Hunk(
            oldStart: oldCount == 0 ? first.old : first.old + 1, oldCount: oldCount,
            newStart: newCount == 0 ? first.new : first.new + 1, newCount: newCount,
            lines: lines)
    }
}
