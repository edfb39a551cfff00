import QuireTestSupport
import Testing

@testable import QuireCore

/// Expected outputs below were produced by GNU diffutils 3.8,
/// `diff -U<context> --label old.txt --label new.txt old new`, and pasted in verbatim.
@Suite("Unified diff")
struct UnifiedDiffTests {
    struct DiffCase: CustomTestStringConvertible, Sendable {
        var name: String
        var old: String
        var new: String
        var context: Int
        var expected: String

        init(_ name: String, old: String, new: String, context: Int = 3, expected: String) {
            self.name = name
            self.old = old
            self.new = new
            self.context = context
            self.expected = expected
        }

        var testDescription: String { name }
    }

    /// `line 1\n` … `line n\n`, with some lines replaced (or removed, for `nil`).
    static func numbered(_ count: Int, replacing replacements: [String: String?] = [:]) -> String {
        (1...count).compactMap { i -> String? in
            let line = "line \(i)"
            if let replacement = replacements[line] { return replacement.map { $0 + "\n" } }
            return line + "\n"
        }.joined()
    }

    static let cases: [DiffCase] = [
        DiffCase(
            "equal texts",
            old: "a\nb\n",
            new: "a\nb\n",
            expected: ""),
        DiffCase(
            "one changed line in the middle",
            old: numbered(10),
            new: numbered(10, replacing: ["line 5": "line five"]),
            expected: """
                --- old.txt
                +++ new.txt
                @@ -2,7 +2,7 @@
                 line 2
                 line 3
                 line 4
                -line 5
                +line five
                 line 6
                 line 7
                 line 8

                """),
        DiffCase(
            "insertion into an empty text",
            old: "",
            new: "a\nb\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -0,0 +1,2 @@
                +a
                +b

                """),
        DiffCase(
            "deletion of everything",
            old: "a\nb\n",
            new: "",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,2 +0,0 @@
                -a
                -b

                """),
        DiffCase(
            "changed last line without newline",
            old: "a\nb",
            new: "a\nc",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,2 +1,2 @@
                 a
                -b
                \\ No newline at end of file
                +c
                \\ No newline at end of file

                """),
        DiffCase(
            "newline added at the end",
            old: "a\nb",
            new: "a\nb\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,2 +1,2 @@
                 a
                -b
                \\ No newline at end of file
                +b

                """),
        DiffCase(
            "newline removed at the end",
            old: "a\nb\n",
            new: "a\nb",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,2 +1,2 @@
                 a
                -b
                +b
                \\ No newline at end of file

                """),
        DiffCase(
            "unchanged last line without newline in context",
            old: "a\nb\nc",
            new: "x\nb\nc",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,3 +1,3 @@
                -a
                +x
                 b
                 c
                \\ No newline at end of file

                """),
        DiffCase(
            "both sides without newline, one line",
            old: "x",
            new: "y",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1 +1 @@
                -x
                \\ No newline at end of file
                +y
                \\ No newline at end of file

                """),
        DiffCase(
            "two distant changes make two hunks",
            old: numbered(20),
            new: numbered(20, replacing: ["line 2": "line two", "line 18": "line eighteen"]),
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,5 +1,5 @@
                 line 1
                -line 2
                +line two
                 line 3
                 line 4
                 line 5
                @@ -15,6 +15,6 @@
                 line 15
                 line 16
                 line 17
                -line 18
                +line eighteen
                 line 19
                 line 20

                """),
        DiffCase(
            "close changes merge into one hunk",
            old: numbered(20),
            new: numbered(20, replacing: ["line 5": "line five", "line 11": "line eleven"]),
            expected: """
                --- old.txt
                +++ new.txt
                @@ -2,13 +2,13 @@
                 line 2
                 line 3
                 line 4
                -line 5
                +line five
                 line 6
                 line 7
                 line 8
                 line 9
                 line 10
                -line 11
                +line eleven
                 line 12
                 line 13
                 line 14

                """),
        DiffCase(
            "CRLF lines keep their terminators",
            old: "a\r\nb\r\nc\r\n",
            new: "a\r\nB\r\nc\r\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,3 +1,3 @@
                 a\r
                -b\r
                +B\r
                 c\r

                """),
        DiffCase(
            "a line ending change is a change",
            old: "a\r\nb\n",
            new: "a\nb\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,2 +1,2 @@
                -a\r
                +a
                 b

                """),
        DiffCase(
            "insertion with no context",
            old: "a\nb\nc\n",
            new: "a\nb\nx\nc\n",
            context: 0,
            expected: """
                --- old.txt
                +++ new.txt
                @@ -2,0 +3 @@
                +x

                """),
        DiffCase(
            "deletion with one line of context",
            old: numbered(10),
            new: numbered(10, replacing: ["line 3": nil, "line 4": nil]),
            context: 1,
            expected: """
                --- old.txt
                +++ new.txt
                @@ -2,4 +2,2 @@
                 line 2
                -line 3
                -line 4
                 line 5

                """),
        DiffCase(
            "a duplicated line is shown as added below",
            old: "a\nb\nc\n",
            new: "a\nb\nb\nc\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,3 +1,4 @@
                 a
                 b
                +b
                 c

                """),
        DiffCase(
            "a paragraph inserted between blank lines",
            old: "# Title\n\nFirst.\n\nSecond.\n",
            new: "# Title\n\nFirst.\n\nNew.\n\nSecond.\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -2,4 +2,6 @@
                \u{20}
                 First.
                \u{20}
                +New.
                +
                 Second.

                """),
        DiffCase(
            "removals come before additions",
            old: "alpha\nbeta\ngamma\ndelta\n",
            new: "alpha\nBETA\nGAMMA\ndelta\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,4 +1,4 @@
                 alpha
                -beta
                -gamma
                +BETA
                +GAMMA
                 delta

                """),
        DiffCase(
            "insertion at the top",
            old: numbered(10),
            new: "zero\n" + numbered(10),
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,3 +1,4 @@
                +zero
                 line 1
                 line 2
                 line 3

                """),
        DiffCase(
            "appending lines",
            old: "a\nb\n",
            new: "a\nb\nc\nd\n",
            expected: """
                --- old.txt
                +++ new.txt
                @@ -1,2 +1,4 @@
                 a
                 b
                +c
                +d

                """),
    ]

    @Test("matches diff -u", arguments: cases)
    func matchesDiffU(_ c: DiffCase) {
        let diff = UnifiedDiff.make(old: c.old, new: c.new, oldName: "old.txt", newName: "new.txt", context: c.context)
        #expect(diff == c.expected)
    }

    @Test("structured hunks tag every line")
    func structuredHunks() {
        let diff = UnifiedDiff.compare(
            old: "a\nb\nc\n", new: "a\nB\nc\nd", oldName: "x", newName: "y", context: 1)
        #expect(diff.hunks.count == 1)
        let hunk = diff.hunks[0]
        #expect(hunk.header == "@@ -1,3 +1,4 @@")
        #expect(hunk.lines.map(\.kind) == [.context, .removed, .added, .context, .added])
        #expect(hunk.lines.map(\.text) == ["a", "b", "B", "c", "d"])
        #expect(hunk.lines.last?.isMissingNewline == true)
        #expect(diff.addedCount == 2)
        #expect(diff.removedCount == 1)
        #expect(!diff.isEmpty)
        #expect(UnifiedDiff.compare(old: "same", new: "same", oldName: "x", newName: "y").isEmpty)
    }

    @Test("a negative context is treated as zero")
    func negativeContext() {
        let diff = UnifiedDiff.make(old: "a\nb\nc\n", new: "a\nx\nc\n", oldName: "o", newName: "n", context: -2)
        #expect(diff == "--- o\n+++ n\n@@ -2 +2 @@\n-b\n+x\n")
    }

    @Test("a lone carriage return ends a line")
    func loneCarriageReturn() {
        let diff = UnifiedDiff.compare(old: "a\rb\r", new: "a\rc\r", oldName: "o", newName: "n")
        #expect(diff.hunks.first?.lines.map(\.text) == ["a", "b", "c"])
        #expect(diff.hunks.first?.lines.map(\.terminator) == ["\r", "\r", "\r"])
    }

    /// Rebuilds the new text from the old one and the hunks: the diff must describe the change exactly.
    static func apply(_ diff: UnifiedDiff, to old: String) -> String {
        let oldLines = UnifiedDiff.splitKeepingTerminators(old)
        var out = ""
        var next = 0  // index of the next old line to copy
        for hunk in diff.hunks {
            let start = hunk.oldCount == 0 ? hunk.oldStart : hunk.oldStart - 1
            while next < start {
                out += oldLines[next].text + oldLines[next].terminator
                next += 1
            }
            for line in hunk.lines {
                switch line.kind {
                case .context:
                    #expect(oldLines[next].text == line.text)
                    out += line.text + line.terminator
                    next += 1
                case .removed:
                    #expect(oldLines[next].text == line.text)
                    next += 1
                case .added:
                    out += line.text + line.terminator
                }
            }
        }
        while next < oldLines.count {
            out += oldLines[next].text + oldLines[next].terminator
            next += 1
        }
        return out
    }

    @Test("applying the hunks to the old text gives the new text", arguments: 0..<40)
    func roundTrip(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let vocabulary = ["", "a", "b", "c", "}", "return x", "let y = 1"]
        var old: [String] = (0..<random.next(below: 40)).map { _ in vocabulary[random.next(below: vocabulary.count)] }
        var new = old
        for _ in 0..<random.next(below: 8) {
            let position = random.next(below: new.count + 1)
            switch random.next(below: 3) {
            case 0 where position < new.count: new.remove(at: position)
            case 1 where position < new.count: new[position] = "changed \(random.next(below: 3))"
            default: new.insert(vocabulary[random.next(below: vocabulary.count)], at: position)
            }
        }
        if random.next(below: 4) == 0 { old.append("tail without newline") }
        let oldText = old.joined(separator: "\n") + (random.next(below: 3) == 0 ? "" : "\n")
        let newText = new.joined(separator: "\n") + (random.next(below: 3) == 0 ? "" : "\n")
        let context = random.next(below: 4)
        let diff = UnifiedDiff.compare(old: oldText, new: newText, oldName: "a", newName: "b", context: context)
        #expect(Self.apply(diff, to: oldText) == newText)
        #expect(diff.isEmpty == (oldText == newText))
    }

    @Test("large, mostly equal files are fast and exact")
    func largeSimilarFiles() {
        let old = (0..<20_000).map { "line \($0) of a long generated document\n" }
        var new = old
        for i in stride(from: 500, to: 20_000, by: 1_000) { new[i] = "edited \(i)\n" }
        new.remove(at: 12_345)
        new.insert("inserted\n", at: 7)
        let diff = UnifiedDiff.compare(
            old: old.joined(), new: new.joined(), oldName: "a", newName: "b", context: 3)
        #expect(diff.removedCount == 21)
        #expect(diff.addedCount == 21)
        #expect(Self.apply(diff, to: old.joined()) == new.joined())
    }

    @Test("large unrelated files finish with a correct diff")
    func largeUnrelatedFiles() {
        var random = SplitMix64(seed: 7)
        let old = (0..<5_000).map { _ in "a\(random.next(below: 400))\n" }.joined()
        let new = (0..<5_000).map { _ in "a\(random.next(below: 400))\n" }.joined()
        let diff = UnifiedDiff.compare(old: old, new: new, oldName: "a", newName: "b")
        #expect(Self.apply(diff, to: old) == new)
    }
}

