import Foundation
import QuireCore
import QuireTestSupport
import Testing

/// `quire test` and `quire accept` as a user runs them: the built binary on a copy of the example
/// workspace with its checked-in goldens and recordings.
@Suite("CLI: test and accept", .serialized)
struct TestCommandTests {
    /// The repository's example workspace (prompts, workflows, goldens) in a temporary folder.
    static func example() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try dir.write(ExampleWorkspace.files)
        return dir
    }

    /// The example with a provider row for a fake server and no goldens for review-digest.
    static func withFakeProvider(_ server: FakeOpenAIServer) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var files = ExampleWorkspace.files.filter { !$0.key.hasPrefix("golden/review-digest/") }
        files["quire.yaml"] = """
            provider: fake
            defaults: {model: fake-model}
            providers:
              fake:
                base_url: \(server.baseURL)
                api_key_env: FAKE_API_KEY
                max_retries: 0
            """
        try dir.write(files)
        return dir
    }

    @Test func theExampleGoldensPassInReplayModeOnCI() async throws {
        let dir = try Self.example()
        let result = try await CLI.run(["test"], in: dir.url, environment: ["CI": "true", "OPENAI_API_KEY": "sk-FAKE-not-a-key"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr == "")
        #expect(result.stdout == """
            publishing-report · swift-concurrency (replay)
              passed   plan
              passed   sections (4 items)
              passed   report
            publishing-report · sqlite-wal (replay)
              passed   plan
              passed   sections (4 items)
              passed   report
            review-digest · kettle (replay)
              passed   facts (3 items)
              passed   digest

            3 cases, 8 steps: 8 passed, 0 changed, 0 new, 0 stale, 0 missing

            """)
    }

    /// The loop of the issue: edit a prompt, see exactly the affected steps with their diff and exit 1,
    /// accept, and pass.
    @Test func aPromptEditShowsExactlyTheAffectedStepsThenAcceptMakesItPass() async throws {
        let dir = try Self.example()
        let path = "prompts/report-merge/v1.prompt"
        try dir.write([path: try dir.read(path).replacingOccurrences(of: "{{ sections[loop.index0] | trim }}\n", with: "{{ sections[loop.index0] | trim }}\n\n[Back to the contents](#contents)\n")])
        let sha = String(ContentHash.sha256(try dir.read(path)).prefix(12))
        let old = String(ContentHash.sha256(ExampleWorkspace.files[path]!).prefix(12))

        let failed = try await CLI.run(["test", "publishing-report"], in: dir.url)
        #expect(failed.status == 1, "\(failed.stderr)")
        var expected = ""
        for (name, last) in [("swift-concurrency", "Make the order of results independent of timing: collect child results by key, not by completion order. Then the same test gives the same answer on a fast laptop and a loaded CI machine."), ("sqlite-wal", "A long-running read transaction therefore lets the WAL grow without limit. Keep reads short, and run `PRAGMA wal_checkpoint(TRUNCATE)` during quiet periods if the file size matters.")] {
            let golden = ExampleWorkspace.files["golden/publishing-report/\(name)/report.txt"]!
            #expect(golden.hasSuffix(last + "\n"))
            expected += """
                publishing-report · \(name) (replay)
                  passed   plan
                  passed   sections (4 items)
                  changed  report
                      prompt report-merge@v1 (prompts/report-merge/v1.prompt) changed since the golden was made (sha256 \(old) → \(sha))

                """
            // The link follows every section: before the headings of sections 2 to 4, and at the end.
            var edited = String(golden.dropLast()) + "\n\n[Back to the contents](#contents)\n"
            for n in 2...4 {
                edited = edited.replacingOccurrences(of: "\n\n## <a id=\"section-\(n)\"", with: "\n\n[Back to the contents](#contents)\n\n## <a id=\"section-\(n)\"")
            }
            let diff = UnifiedDiff.make(
                old: golden, new: edited,
                oldName: "golden/publishing-report/\(name)/report.txt", newName: ".quire/test-output/publishing-report/\(name)/report.txt")
            expected += TextLines.split(diff).map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        expected += """

            2 cases, 6 steps: 4 passed, 2 changed, 0 new, 0 stale, 0 missing
            actual outputs are in .quire/test-output/; after review, accept them with:
              quire accept publishing-report --case swift-concurrency --step report
              quire accept publishing-report --case sqlite-wal --step report

            """
        #expect(failed.stdout == expected)
        #expect(try dir.read(".quire/test-output/publishing-report/sqlite-wal/report.txt").contains("[Back to the contents](#contents)"))

        let accepted = try await CLI.run(["accept", "publishing-report"], in: dir.url)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdout == """
            accepted publishing-report · sqlite-wal · report
              golden/publishing-report/sqlite-wal/report.txt
            accepted publishing-report · swift-concurrency · report
              golden/publishing-report/swift-concurrency/report.txt
            check with `quire test publishing-report`, then commit golden/publishing-report/

            """)
        let meta = try GoldenMetadata(json: dir.read("golden/publishing-report/sqlite-wal/golden.meta.json"))
        #expect(meta.steps["report"]?.stamp.prompt.sha256.hasPrefix(sha) == true)

        let passed = try await CLI.run(["test", "publishing-report"], in: dir.url)
        #expect(passed.status == 0, "\(passed.stdout)")
        #expect(passed.stdout.hasSuffix("2 cases, 6 steps: 6 passed, 0 changed, 0 new, 0 stale, 0 missing\n"))
    }

    @Test func aModelPromptEditIsAReplayMissWithTheRequestDiff() async throws {
        let dir = try Self.example()
        let path = "prompts/section-writer/v1.prompt"
        try dir.write([path: try dir.read(path).replacingOccurrences(of: "Do not repeat the title.", with: "Do not repeat the title. End with a one-line summary.")])
        let result = try await CLI.run(["test", "publishing-report", "--case", "sqlite-wal"], in: dir.url)
        #expect(result.status == 1)
        let lines = TextLines.split(result.stdout)
        #expect(Array(lines.prefix(4)) == [
            "publishing-report · sqlite-wal (replay)",
            "  passed   plan",
            "  failed   sections",
            "      prompt section-writer@v1 (prompts/section-writer/v1.prompt) changed since the golden was made (sha256 \(ContentHash.sha256(ExampleWorkspace.files[path]!).prefix(12)) → \(ContentHash.sha256(try dir.read(path)).prefix(12)))",
        ])
        #expect(result.stdout.contains("""
                  replay miss: the rendered request of sections[1], sections[2], sections[3], sections[4] differs from the recorded one (diffs of the first 3 below): this prompt change affects this step
                  to get new outputs for review, run with --live (calls the model and records its answers)
                --- recorded request (sections[1])
                +++ rendered request (sections[1])
                @@ -8,4 +8,4 @@
                 Avoid marketing language, exclamation marks and filler.
                 ── user
                 Write the section "Rollback journal versus write-ahead log" (section 1 of 4) in two short paragraphs.
                -Do not repeat the title.
                +Do not repeat the title. End with a one-line summary.

            """))
        #expect(result.stdout.contains("  skipped  report\n      not run: it depends on failed step 'sections'\n"))
        #expect(result.stdout.hasSuffix("1 case, 3 steps: 1 passed, 0 changed, 0 new, 0 stale, 0 missing, 1 failed, 1 skipped\n"))

        // --render-only shows the same without running anything.
        let rendered = try await CLI.run(["test", "publishing-report", "--case", "sqlite-wal", "--render-only"], in: dir.url)
        #expect(rendered.status == 1)
        #expect(rendered.stdout.contains("publishing-report · sqlite-wal (render-only)\n  passed   plan\n  changed  sections (4 items)\n"))
        #expect(rendered.stdout.contains("+Do not repeat the title. End with a one-line summary.\n"))
        #expect(rendered.stdout.contains("  passed   report\n"))
        #expect(rendered.stdout.hasSuffix("rendered requests changed: run `quire test --live` to get the new outputs for review\n"))
    }

    @Test func recordModePrecedence() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        server.setResponder { request in FakeResponse(ExampleResponder.answer(request.messages)) }
        let dir = try Self.withFakeProvider(server)

        // CI set: record mode never, answers replayed; a case never recorded is missing, nothing is written.
        let ci = try await CLI.run(["test", "review-digest"], in: dir.url, environment: ["CI": "1"])
        #expect(ci.status == 1)
        #expect(ci.stdout == """
            review-digest · kettle (replay)
              missing  facts
                  no golden and no recording under golden/review-digest/kettle/; record it with --live (calls the model and records its answers)
              skipped  digest
                  not run: it depends on failed step 'facts'

            1 case, 2 steps: 0 passed, 0 changed, 0 new, 0 stale, 1 missing, 1 skipped

            """)
        #expect(server.chatRequestCount == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("golden/review-digest").path))

        // QUIRE_RECORD beats CI: the model is called and the goldens written; the run does not succeed.
        let recorded = try await CLI.run(["test", "review-digest"], in: dir.url, environment: ["CI": "1", "QUIRE_RECORD": "missing", "FAKE_API_KEY": "k"])
        #expect(recorded.status == 1)
        #expect(recorded.stdout.contains("review-digest · kettle (live)\n  new      facts (3 items)\n  new      digest\n"))
        #expect(recorded.stdout.hasSuffix("""
            1 case, 2 steps: 0 passed, 0 changed, 2 new, 0 stale, 0 missing
            wrote 4 golden files (record mode 'missing'): review them, then run quire test again

            """))
        #expect(server.chatRequestCount == 4)
        #expect(try dir.read("golden/review-digest/kettle/facts/001.json").contains("\"rating\": 3"))

        // The flag beats QUIRE_RECORD; the recordings answer now.
        let replayed = try await CLI.run(["test", "review-digest", "--record", "never"], in: dir.url, environment: ["QUIRE_RECORD": "all"])
        #expect(replayed.status == 0, "\(replayed.stdout)")
        #expect(server.chatRequestCount == 4)

        let bogus = try await CLI.run(["test", "review-digest"], in: dir.url, environment: ["QUIRE_RECORD": "sometimes"])
        #expect(bogus.status == 64)
        #expect(bogus.stderr == "error: QUIRE_RECORD=sometimes is not a record mode; expected one of all, failed, missing, never [test.invalid-record-mode]\n")
    }

    @Test func junitAndJSONReports() async throws {
        let dir = try Self.example()
        try dir.write(["prompts/report-merge/v1.prompt": try dir.read("prompts/report-merge/v1.prompt").replacingOccurrences(of: "# {{ topic }}", with: "# {{ topic }} <draft>")])
        let result = try await CLI.run(["test", "--junit", "results/junit.xml", "--json"], in: dir.url)
        #expect(result.status == 1)
        let json = try JSONText.decode(result.stdout).objectValue ?? [:]
        #expect(json["success"] == false)
        #expect(json["summary"]?.objectValue?["changed"] == 2)
        #expect(json["summary"]?.objectValue?["passed"] == 6)
        #expect(json["accept"]?.listValue?.count == 2)
        let xml = try dir.read("results/junit.xml")
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"quire test\" tests=\"8\" failures=\"2\" errors=\"0\" skipped=\"0\">\n"))
        #expect(xml.contains("<testcase classname=\"publishing-report.sqlite-wal\" name=\"report\" file=\"golden/publishing-report/sqlite-wal/report.txt\">\n      <failure message=\"changed\" type=\"changed\">"))
        #expect(xml.contains("+# How SQLite&apos;s write-ahead log works &lt;draft&gt;\n"))
        #expect(xml.contains("<testcase classname=\"review-digest.kettle\" name=\"digest\" file=\"golden/review-digest/kettle/digest.txt\"/>"))
    }

    @Test func colourOnlyWhenAsked() async throws {
        let dir = try Self.example()
        try dir.write(["prompts/report-merge/v1.prompt": try dir.read("prompts/report-merge/v1.prompt").replacingOccurrences(of: "# {{ topic }}", with: "# {{ topic }}!")])
        let plain = try await CLI.run(["test", "publishing-report", "--case", "sqlite-wal"], in: dir.url)
        #expect(!plain.stdout.contains("\u{1B}["))
        let coloured = try await CLI.run(["test", "publishing-report", "--case", "sqlite-wal", "--color", "always"], in: dir.url)
        #expect(coloured.status == 1)
        #expect(coloured.stdout.contains("  \u{1B}[32mpassed  \u{1B}[0m plan\n"))
        #expect(coloured.stdout.contains("  \u{1B}[31mchanged \u{1B}[0m report\n"))
        #expect(coloured.stdout.contains("    \u{1B}[31m-# How SQLite's write-ahead log works\u{1B}[0m\n    \u{1B}[32m+# How SQLite's write-ahead log works!\u{1B}[0m\n"))
    }

    @Test func affectedTestsOnlyWhatChangedSinceARevision() async throws {
        let dir = try Self.example()
        func git(_ args: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"] + args
            process.currentDirectoryURL = dir.url
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
        }
        try git(["init", "-q"])
        try git(["add", "."])
        try git(["commit", "-q", "-m", "example"])

        let nothing = try await CLI.run(["test", "--affected"], in: dir.url)
        #expect(nothing.status == 0)
        #expect(nothing.stdout == "no case is affected by the changes since HEAD\n")

        try dir.write(["prompts/review-extract/v1.prompt": try dir.read("prompts/review-extract/v1.prompt") + "Answer in English.\n"])
        let some = try await CLI.run(["test", "--affected"], in: dir.url)
        #expect(some.status == 1)
        #expect(some.stderr == "affected: review-digest (prompts/review-extract/v1.prompt)\n")
        #expect(some.stdout.hasPrefix("review-digest · kettle (replay)\n  failed   facts\n"))
        #expect(!some.stdout.contains("publishing-report"))

        let named = try await CLI.run(["test", "--affected", "publishing-report"], in: dir.url)
        #expect(named.status == 64)
        #expect(named.stderr.contains("'publishing-report' is a workflow: name workflows before --affected"))
        let before = try await CLI.run(["test", "publishing-report", "--affected"], in: dir.url)
        #expect(before.stdout == "no case is affected by the changes since HEAD\n")
    }

    @Test func invalidInvocations() async throws {
        let dir = try Self.example()
        let both = try await CLI.run(["test", "--replay", "--live"], in: dir.url)
        #expect(both.status == 64)
        #expect(both.stderr.contains("--replay and --live exclude each other"))
        let unknown = try await CLI.run(["test", "publishing-report", "--case", "swift-concurency"], in: dir.url)
        #expect(unknown.status == 64)
        #expect(unknown.stderr == "error: no case 'swift-concurency' in 'publishing-report' [test.unknown-case]\n  help: did you mean 'swift-concurrency'?\n")
        let step = try await CLI.run(["test", "publishing-report", "--step", "sectons"], in: dir.url)
        #expect(step.status == 64)
        #expect(step.stderr == "error: workflow 'publishing-report' has no step 'sectons' [test.unknown-step]\n  help: did you mean 'sections'?\n")
        let noOutput = try await CLI.run(["accept", "review-digest"], in: dir.url)
        #expect(noOutput.status == 1)
        #expect(noOutput.stderr == "error: no test output for workflow 'review-digest' in .quire/test-output/review-digest/ [accept.no-test-output]\n  help: run `quire test review-digest` first; accept takes the outputs it kept\n")
    }

    @Test func onlyTheChosenStepIsCompared() async throws {
        let dir = try Self.example()
        let result = try await CLI.run(["test", "publishing-report", "--case", "swift-concurrency", "--step", "plan"], in: dir.url)
        #expect(result.status == 0)
        #expect(result.stdout == "publishing-report · swift-concurrency (replay)\n  passed   plan\n\n1 case, 1 step: 1 passed, 0 changed, 0 new, 0 stale, 0 missing\n")
    }
}
