import Testing
@testable import QuireCore

@Suite("Comparing an output with its golden")
struct GoldenComparisonTests {
    func compare(_ golden: String, _ actual: String, _ mode: CompareMode) -> GoldenComparison.Verdict {
        GoldenComparison.compare(golden: golden, actual: actual, mode: mode, goldenName: "golden/w/c/s.txt", actualName: "out/w/c/s.txt")
    }

    @Test func exactComparesEveryByte() {
        #expect(compare("a\nb\n", "a\nb\n", .exact).kind == .equal)
        let verdict = compare("a\nb\n", "a\nb", .exact)
        #expect(verdict.kind == .different)
        #expect(verdict.diff == """
            --- golden/w/c/s.txt
            +++ out/w/c/s.txt
            @@ -1,2 +1,2 @@
             a
            -b
            +b
            \\ No newline at end of file

            """)
    }

    @Test func normalizedIgnoresWhitespaceDatesAndUUIDs() {
        let golden = "Report of 2026-11-21T10:00:00Z\nrun 123e4567-e89b-12d3-a456-426614174000\n\nAll   good.\n"
        let actual = "  Report of 2026-11-22 09:30:15.123+02:00 run\r\n6F9619FF-8B86-D011-B42D-00C04FC964FF All good."
        #expect(compare(golden, actual, .normalized(TextNormalizer())).kind == .equal)
        #expect(compare(golden, actual, .exact).kind == .different)
    }

    @Test func normalizedShowsTheNormalizedLinesThatDiffer() {
        let verdict = compare("Total: 3 items\n   on 2026-01-01\n", "Total:  4 items\non 2026-02-02\n", .normalized(TextNormalizer()))
        #expect(verdict.kind == .different)
        #expect(verdict.diff == """
            --- golden/w/c/s.txt
            +++ out/w/c/s.txt
            @@ -1,2 +1,2 @@
            -Total: 3 items
            +Total: 4 items
             on <date>

            """)
    }

    @Test func scrubPatternsReplaceTheirMatchesFirst() throws {
        let normalizer = TextNormalizer(scrubbers: [.init(pattern: try RegexPattern("#\\d+"), replacement: "#<n>")])
        #expect(compare("Ticket #123 closed", "Ticket #98 closed", .normalized(normalizer)).kind == .equal)
        #expect(compare("Ticket #123 closed", "Ticket #98 opened", .normalized(normalizer)).kind == .different)
        #expect(normalizer.normalize("see #7 on 2026-11-22") == "see #<n> on <date>")
    }

    @Test func jsonIgnoresKeyOrderAndLayout() {
        #expect(compare(#"{"a": 1, "b": [1, 2]}"#, "{\n\"b\":[1,2],\"a\":1.0}", .json(schema: nil)).kind == .equal)
        let verdict = compare(#"{"a": 1, "b": [1, 2]}"#, #"{"b": [1, 3], "a": 1}"#, .json(schema: nil))
        #expect(verdict.kind == .different)
        #expect(verdict.diff.contains("-    2\n+    3\n"))
    }

    @Test func jsonFailsOutputsThatAreNotJSONOrBreakTheSchema() {
        let notJSON = compare("{}", "{oops}", .json(schema: nil))
        #expect(notJSON.kind == .invalid)
        #expect(notJSON.notes.first?.hasPrefix("the output is not valid JSON: ") == true)
        let schema = JSONSchema(["type": "object", "required": ["rating"]])
        let broken = compare(#"{"rating": 3}"#, #"{"stars": 3}"#, .json(schema: schema))
        #expect(broken.kind == .invalid)
        #expect(broken.notes == ["the output does not match the compare schema: $: missing required property 'rating'"])
    }

    @Test func similarityPassesAtOrAboveTheThreshold() {
        let golden = "The quick brown fox jumps over the lazy dog"
        let close = "The quick brown fox jumped over the lazy dog"
        let pass = compare(golden, close, .similarity(0.8))
        #expect(pass.kind == .equal)
        #expect(pass.notes == ["similarity 0.888 ≥ 0.8"])
        let fail = compare(golden, "A slow red fox sleeps", .similarity(0.8))
        #expect(fail.kind == .different)
        #expect(fail.notes == ["similarity 0.142 < 0.8 (words, lcs)"])
        #expect(!fail.diff.isEmpty)
    }
}

@Suite("Record modes")
struct RecordModeTests {
    @Test(arguments: [
        (RecordMode?.some(.all), ["QUIRE_RECORD": "never", "CI": "1"], RecordMode.all),
        (nil, ["QUIRE_RECORD": "failed", "CI": "true"], .failed),
        (nil, ["QUIRE_RECORD": "NEVER"], .never),
        (nil, ["CI": "true"], .never),
        (nil, ["CI": "1", "QUIRE_RECORD": ""], .never),
        (nil, ["CI": "false"], .missing),
        (nil, ["CI": ""], .missing),
        (nil, [:], .missing),
    ])
    func precedence(flag: RecordMode?, environment: [String: String], expected: RecordMode) throws {
        #expect(try RecordMode.resolve(flag: flag, environment: environment).get() == expected)
    }

    @Test func anUnknownQuireRecordIsAnError() {
        guard case .failure(let problem) = RecordMode.resolve(flag: nil, environment: ["QUIRE_RECORD": "fialed"]) else {
            Issue.record("expected an error")
            return
        }
        #expect(problem.description == "error: QUIRE_RECORD=fialed is not a record mode; expected one of all, failed, missing, never; did you mean 'failed'? [test.invalid-record-mode]")
    }

    @Test func whatEachModeWrites() {
        let table: [(RecordMode, [Bool])] = [
            // (no golden), (golden, differs), (golden, matches)
            (.all, [true, true, true]),
            (.failed, [true, true, false]),
            (.missing, [true, false, false]),
            (.never, [false, false, false]),
        ]
        for (mode, expected) in table {
            let writes = [mode.writes(hasGolden: false, matches: false), mode.writes(hasGolden: true, matches: false), mode.writes(hasGolden: true, matches: true)]
            #expect(writes == expected, "\(mode)")
        }
    }
}
