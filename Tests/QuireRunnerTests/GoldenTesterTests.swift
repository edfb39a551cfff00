import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport
import Testing

@Suite("Golden regression runs")
struct GoldenTesterTests {
    let replay = GoldenTester.Options(record: .never, source: .replay)

    /// The example workspace with the goldens recorded by a first run.
    func recorded() async throws -> GoldenHarness {
        let harness = try GoldenHarness()
        let report = try await harness.test("publishing-report")
        #expect(report.statuses == [
            "swift-concurrency/plan: new (recorded)", "swift-concurrency/sections: new (recorded)", "swift-concurrency/report: new (recorded)",
            "sqlite-wal/plan: new (recorded)", "sqlite-wal/sections: new (recorded)", "sqlite-wal/report: new (recorded)",
        ])
        return harness
    }

    @Test func aFirstRunRecordsGoldensAndNeverSucceedsThenReplayPasses() async throws {
        let harness = try await recorded()
        #expect(harness.calls.count == 10)
        let folder = "golden/publishing-report/swift-concurrency"
        #expect(try harness.read("\(folder)/plan.json") == ExampleWorkspace.files["\(folder)/plan.json"])
        #expect(try harness.read("\(folder)/sections/004.txt") == ExampleWorkspace.files["\(folder)/sections/004.txt"])
        #expect(try harness.read("\(folder)/report.txt") == ExampleWorkspace.files["\(folder)/report.txt"])
        let attributes = try FileManager.default.attributesOfItem(atPath: harness.root.appendingPathComponent("\(folder)/golden.recordings.json").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let metadata = try GoldenMetadata(json: harness.read("\(folder)/golden.meta.json"))
        #expect(metadata.steps["sections"]?.files == ["sections/001.txt", "sections/002.txt", "sections/003.txt", "sections/004.txt"])
        #expect(metadata.steps["plan"]?.stamp.prompt.sha256 == ContentHash.sha256(try harness.read("prompts/publishing-plan/v2.prompt")))

        // The auto source replays now that recordings exist: no model call.
        let again = try await harness.test("publishing-report")
        #expect(again.success, "\(again.statuses)")
        #expect(again.cases.map(\.source) == [.replay, .replay])
        #expect(harness.calls.count == 10)
    }

    @Test func replayIgnoresTheWorkflowsBudget() async throws {
        let harness = try await recorded()
        let workflow = try harness.read("workflows/publishing-report.yaml")
        try harness.write("workflows/publishing-report.yaml", workflow + "budget: {max_cost: 0.000001, max_tokens: 1}\n")
        let report = try await harness.test("publishing-report", options: replay, cases: ["swift-concurrency"])
        #expect(report.statuses == ["swift-concurrency/plan: passed", "swift-concurrency/sections: passed", "swift-concurrency/report: passed"])
    }

    @Test func aPromptEditIsAReplayMissForExactlyTheStepsItAffects() async throws {
        let harness = try await recorded()
        try harness.edit("prompts/section-writer/v1.prompt", replacing: "in two short paragraphs.", with: "in three short paragraphs.")
        let report = try await harness.test("publishing-report", options: replay, cases: ["swift-concurrency"])
        #expect(report.statuses == ["swift-concurrency/plan: passed", "swift-concurrency/sections: failed", "swift-concurrency/report: skipped"])
        let sections = try #require(report.step("swift-concurrency", "sections"))
        #expect(sections.notes.first?.hasPrefix("prompt section-writer@v1 (prompts/section-writer/v1.prompt) changed since the golden was made (sha256 ") == true)
        #expect(sections.notes.dropFirst().first == "replay miss: the rendered request of sections[1], sections[2], sections[3], sections[4] differs from the recorded one (diffs of the first 3 below): this prompt change affects this step")
        #expect(sections.diffs.count == 3)
        #expect(sections.diffs[0] == """
            --- recorded request (sections[1])
            +++ rendered request (sections[1])
            @@ -7,5 +7,5 @@
             Write in plain, direct English for software engineers. Prefer concrete examples to abstractions.
             Avoid marketing language, exclamation marks and filler.
             ── user
            -Write the section "Why unstructured tasks leak work" (section 1 of 4) in two short paragraphs.
            +Write the section "Why unstructured tasks leak work" (section 1 of 4) in three short paragraphs.
             Do not repeat the title.

            """)
        #expect(report.step("swift-concurrency", "report")?.notes == ["not run: it depends on failed step 'sections'"])
        #expect(harness.calls.count == 10)
    }

    @Test func aLiveRunShowsTheChangeKeepsTheOutputAndAcceptMakesItTheGolden() async throws {
        let harness = try await recorded()
        try harness.edit("prompts/section-writer/v1.prompt", replacing: "in two short paragraphs.", with: "in one short paragraph.")
        let shorter: @Sendable (ChatRequest) -> String = { request in
            let answer = ExampleResponder.answer(request.messages)
            return request.messages.last?.content.contains("one short paragraph") == true ? String(answer.split(separator: "\n\n")[0]) : answer
        }
        let live = GoldenTester.Options(record: .missing, source: .live)
        let report = try await harness.test("publishing-report", options: live, cases: ["sqlite-wal"], answer: shorter)
        #expect(report.statuses == ["sqlite-wal/plan: passed", "sqlite-wal/sections: changed", "sqlite-wal/report: changed"])
        let sections = try #require(report.step("sqlite-wal", "sections"))
        #expect(sections.diffs.count == 4)
        #expect(sections.diffs[0].hasPrefix("--- golden/publishing-report/sqlite-wal/sections/001.txt\n+++ .quire/test-output/publishing-report/sqlite-wal/sections/001.txt\n"))
        #expect(report.acceptCommands() == ["quire accept publishing-report --case sqlite-wal --step sections --step report"])
        let kept = ".quire/test-output/publishing-report/sqlite-wal"
        #expect(try harness.read("\(kept)/sections/001.txt").hasPrefix("In rollback-journal mode"))
        #expect(!(try harness.read("\(kept)/sections/001.txt").contains("\n\n")))
        #expect(try GoldenRecordings(json: harness.read("\(kept)/golden.recordings.json")).exchanges.count == 5)
        #expect(try GoldenMetadata(json: harness.read("\(kept)/golden.meta.json")).results == ["plan": "passed", "sections": "changed", "report": "changed"])

        // Nothing was written to the goldens (record mode 'missing'); accept takes the kept outputs.
        #expect(try harness.read("golden/publishing-report/sqlite-wal/sections/001.txt").contains("\n\n"))
        let accepted = try harness.accept("publishing-report")
        #expect(accepted.diagnostics == [])
        #expect(accepted.accepted.map { "\($0.caseName)/\($0.step)" } == ["sqlite-wal/sections", "sqlite-wal/report"])
        #expect(try harness.read("golden/publishing-report/sqlite-wal/sections/001.txt") == (try harness.read("\(kept)/sections/001.txt")))

        // The recordings were replaced for the accepted steps: replay now passes with the new prompt.
        let after = try await harness.test("publishing-report", options: replay, cases: ["sqlite-wal"])
        #expect(after.success, "\(after.statuses)")
        let calls = harness.calls.count
        #expect(try harness.accept("publishing-report").diagnostics.map(\.id) == ["accept.nothing"])
        #expect(harness.calls.count == calls)
    }

    @Test func acceptRefusesOutputsMadeBeforeAPromptChanged() async throws {
        let harness = try await recorded()
        try harness.edit("prompts/report-merge/v1.prompt", replacing: "# {{ topic }}", with: "# Report: {{ topic }}")
        _ = try await harness.test("publishing-report", options: replay)
        try harness.edit("prompts/report-merge/v1.prompt", replacing: "# Report: {{ topic }}", with: "# About {{ topic }}")
        let outcome = try harness.accept("publishing-report", cases: ["swift-concurrency"])
        #expect(outcome.accepted.isEmpty)
        #expect(outcome.diagnostics.map(\.id) == ["accept.out-of-date"])
        #expect(outcome.diagnostics.first?.message.hasPrefix("case 'swift-concurrency', step 'report': the output was made before a change: prompt report-merge@v1") == true)
    }

    @Test func aPromptEditThatLeavesTheRequestAloneMakesTheGoldenStale() async throws {
        let harness = try await recorded()
        try harness.edit("prompts/publishing-plan/v2.prompt", replacing: "with a worked example.", with: "with one worked example.")
        let report = try await harness.test("publishing-report", options: replay)
        #expect(report.statuses == [
            "swift-concurrency/plan: stale", "swift-concurrency/sections: passed", "swift-concurrency/report: passed",
            "sqlite-wal/plan: stale", "sqlite-wal/sections: passed", "sqlite-wal/report: passed",
        ])
        #expect(report.step("sqlite-wal", "plan")?.notes.first?.hasPrefix("prompt publishing-plan@v2 (prompts/publishing-plan/v2.prompt) changed since the golden was made") == true)
        #expect(!report.success)
        // --record failed refreshes what produced the golden; then it passes.
        let refreshed = try await harness.test("publishing-report", options: GoldenTester.Options(record: .failed, source: .replay))
        #expect(refreshed.statuses.filter { $0.contains("plan") } == ["swift-concurrency/plan: stale (recorded)", "sqlite-wal/plan: stale (recorded)"])
        #expect(try await harness.test("publishing-report", options: replay).success)
    }

    @Test func aPartialEditNamesThePartial() async throws {
        let harness = try await recorded()
        try harness.edit("prompts/partials/house-style.md", replacing: "Avoid marketing language", with: "Avoid jargon, marketing language")
        let report = try await harness.test("publishing-report", options: replay, cases: ["swift-concurrency"])
        let plan = try #require(report.step("swift-concurrency", "plan"))
        #expect(plan.status == .failed)
        #expect(plan.notes.first == "partial prompts/partials/house-style.md, included by publishing-plan@v2, changed since the golden was made")
        #expect(plan.diffs.first?.contains("+Avoid jargon, marketing language, exclamation marks and filler.") == true)
    }

    @Test func recordModes() async throws {
        let harness = try GoldenHarness()
        // never: nothing is written, every golden is missing.
        let never = try await harness.test("review-digest", options: GoldenTester.Options(record: .never, source: .live))
        #expect(never.statuses == ["kettle/facts: missing", "kettle/digest: missing"])
        #expect(!harness.exists("golden/review-digest/kettle/golden.meta.json"))
        #expect(never.acceptCommands() == ["quire accept review-digest --case kettle --step facts --step digest"])
        // accept makes the kept outputs the goldens, with their recordings.
        #expect(try harness.accept("review-digest").accepted.count == 2)
        #expect(try await harness.test("review-digest", options: replay).success)

        // failed: only what differs is written.
        let changedDigest: @Sendable (ChatRequest) -> String = { request in
            request.messages.first?.content.hasPrefix("You summarise") == true ? "## Summary\nShorter." : ExampleResponder.answer(request.messages)
        }
        let failed = try await harness.test("review-digest", options: GoldenTester.Options(record: .failed, source: .live), answer: changedDigest)
        #expect(failed.statuses == ["kettle/facts: passed", "kettle/digest: changed (recorded)"])
        #expect(!failed.success)
        #expect(try harness.read("golden/review-digest/kettle/digest.txt") == "## Summary\nShorter.")
        // all: everything is written, equal or not, and the run does not succeed.
        let all = try await harness.test("review-digest", options: GoldenTester.Options(record: .all, source: .live), answer: changedDigest)
        #expect(all.statuses == ["kettle/facts: passed (recorded)", "kettle/digest: passed (recorded)"])
        #expect(!all.success)
        let replayed = try await harness.test("review-digest", options: replay)
        #expect(replayed.success, "\(replayed.cases)")
    }

    @Test func fewerFanOutItemsRemoveGoldenItemsOnAccept() async throws {
        let harness = try await recorded()
        let threeTitles: @Sendable (ChatRequest) -> String = { request in
            let answer = ExampleResponder.answer(request.messages)
            return request.messages.first?.content.hasPrefix("You plan") == true ? answer.split(separator: "\n").prefix(3).joined(separator: "\n") : answer
        }
        let report = try await harness.test("publishing-report", options: GoldenTester.Options(record: .missing, source: .live), cases: ["swift-concurrency"], answer: threeTitles)
        let sections = try #require(report.step("swift-concurrency", "sections"))
        #expect(report.step("swift-concurrency", "plan")?.status == .changed)
        #expect(sections.status == .changed)
        // Items 1-3 ask for "section i of 3" now, so the texts are the same but item 4 is gone.
        #expect(sections.notes == ["the step produced 3 items; the golden has 4", "sections/004.txt was not produced: the golden has it"])
        let outcome = try harness.accept("publishing-report", steps: ["plan", "sections"])
        #expect(outcome.diagnostics == [])
        #expect(outcome.accepted.first { $0.caseName == "swift-concurrency" && $0.step == "sections" }?.removed == ["golden/publishing-report/swift-concurrency/sections/004.txt"])
        #expect(!harness.exists("golden/publishing-report/swift-concurrency/sections/004.txt"))
    }

    @Test func comparisonModesFromTheWorkflow() async throws {
        let harness = try GoldenHarness(files: [
            "prompts/ask/v1.prompt": "---\ninputs:\n  q: {type: string}\n  which: {type: string}\n---\n{{ which }}: {{ q }}\n",
            "workflows/modes.yaml": """
                inputs:
                  q: {type: string}
                defaults: {model: m}
                steps:
                  - id: stamp
                    prompt: ask@v1
                    vars: {which: stamp}
                    compare: normalized
                  - id: data
                    prompt: ask@v1
                    vars: {which: data}
                    post: [json]
                    compare: json
                  - id: prose
                    prompt: ask@v1
                    vars: {which: prose}
                    compare: {similarity: 0.8}
                  - id: exact
                    prompt: ask@v1
                    vars: {which: exact}
                cases:
                  one: {q: question}
                """,
        ])
        func answers(_ table: [String: String]) -> @Sendable (ChatRequest) -> String {
            { request in table[String(request.messages.last?.content.split(separator: ":").first ?? "")] ?? "?" }
        }
        let first = answers([
            "stamp": "Made on 2026-11-21  by job 123e4567-e89b-12d3-a456-426614174000", "data": #"{"a": 1, "b": 2}"#,
            "prose": "The quick brown fox jumps over the lazy dog", "exact": "x",
        ])
        let recorded = try await harness.test("modes", options: GoldenTester.Options(record: .missing, source: .live), answer: first)
        #expect(recorded.statuses == ["one/stamp: new (recorded)", "one/data: new (recorded)", "one/prose: new (recorded)", "one/exact: new (recorded)"])
        let second = answers([
            "stamp": "Made on 2026-11-22 by job 6f9619ff-8b86-d011-b42d-00c04fc964ff\n", "data": #"{"b": 2, "a": 1}"#,
            "prose": "The quick brown fox jumped over the lazy dog", "exact": "y",
        ])
        let report = try await harness.test("modes", options: GoldenTester.Options(record: .never, source: .live), answer: second)
        #expect(report.statuses == ["one/stamp: passed", "one/data: passed", "one/prose: passed", "one/exact: changed"])
        #expect(report.step("one", "prose")?.notes == ["similarity 0.888 ≥ 0.8"])
        #expect(report.step("one", "exact")?.diffs == ["--- golden/modes/one/exact.txt\n+++ .quire/test-output/modes/one/exact.txt\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n"])
    }

    @Test func samplesReportEachStepsPassRateAndRecordNothing() async throws {
        let harness = try await recorded()
        // Every other answer is different from the golden.
        let calls = CallCounter()
        let flaky: @Sendable (ChatRequest) -> String = { request in
            calls.increment()
            return calls.count.isMultiple(of: 2) ? "- A different plan" : ExampleResponder.answer(request.messages)
        }
        let options = GoldenTester.Options(record: .never, source: .live, steps: ["plan"], samples: 4)
        let report = try await harness.test("publishing-report", options: options, cases: ["swift-concurrency"], answer: flaky)
        let plan = try #require(report.step("swift-concurrency", "plan"))
        #expect(plan.status == .changed)
        #expect(plan.samples == GoldenStepResult.Samples(passed: 2, total: 4))
        #expect(calls.count == 4)
        #expect(report.cases[0].steps.map(\.step) == ["plan"])
        #expect(!plan.recorded)
        // The real answer passes every time.
        let steady = try await harness.test("publishing-report", options: options, cases: ["swift-concurrency"])
        #expect(steady.step("swift-concurrency", "plan")?.samples == GoldenStepResult.Samples(passed: 4, total: 4))
        #expect(steady.success)
    }

    @Test func renderOnlyComparesRequestsAndTemplatesWithoutAnyModel() async throws {
        let harness = try await recorded()
        let renderOnly = GoldenTester.Options(record: .never, renderOnly: true)
        #expect(try await harness.test("publishing-report", options: renderOnly).success)
        try harness.edit("prompts/report-merge/v1.prompt", replacing: "# {{ topic }}", with: "# Report: {{ topic }}")
        try harness.edit("prompts/section-writer/v1.prompt", replacing: "Do not repeat the title.", with: "Do not repeat the title or the topic.")
        let report = try await harness.test("publishing-report", options: renderOnly, cases: ["swift-concurrency"])
        #expect(report.statuses == ["swift-concurrency/plan: passed", "swift-concurrency/sections: changed", "swift-concurrency/report: changed"])
        #expect(report.step("swift-concurrency", "sections")?.diffs.first?.contains("+Do not repeat the title or the topic.") == true)
        #expect(report.step("swift-concurrency", "report")?.diffs.first?.contains("-# Structured concurrency in Swift\n+# Report: Structured concurrency in Swift\n") == true)
        #expect(report.cases[0].source == .renderOnly)
        #expect(harness.calls.count == 10)
    }

    @Test func folderCasesAreTestedToo() async throws {
        let harness = try await recorded()
        try harness.write("golden/publishing-report/zig/inputs.yaml", "topic: Zig comptime\n")
        let report = try await harness.test("publishing-report", cases: ["zig"])
        #expect(report.statuses == ["zig/plan: new (recorded)", "zig/sections: new (recorded)", "zig/report: new (recorded)"])
        #expect(try harness.read("golden/publishing-report/zig/plan.json").contains("What Zig comptime is"))
        #expect(try await harness.test("publishing-report", options: replay, cases: ["zig"]).success)
    }

    @Test func replayIgnoresAnAPIKeyInTheEnvironment() async throws {
        let harness = try await recorded()
        // With OPENAI_API_KEY set the default provider would be `openai`, which has no model here;
        // replay uses the provider the goldens were recorded with.
        let report = try await harness.test("publishing-report", options: replay, environment: ["OPENAI_API_KEY": "sk-FAKE-not-a-key"])
        #expect(report.success, "\(report.statuses) \(report.cases.map(\.errors))")
    }

    @Test func aCaseThatCannotStartSaysWhyOnce() async throws {
        let harness = try GoldenHarness()
        let report = try await harness.test(
            "publishing-report", options: GoldenTester.Options(record: .missing, source: .replay), cases: ["swift-concurrency"],
            environment: ["OPENAI_API_KEY": "sk-FAKE-not-a-key"])
        #expect(report.cases[0].errors.count == 2)
        #expect(report.cases[0].errors.allSatisfy { $0.contains("[run.no-model]") })
        #expect(report.statuses == ["swift-concurrency/plan: failed", "swift-concurrency/sections: failed", "swift-concurrency/report: failed"])
    }

    @Test func liveRecordingsThroughHTTPHoldNoKeyOrHeaders() async throws {
        let server = FakeOpenAIServer(apiKey: "sk-secret-FAKE-golden")
        try await server.start()
        server.setResponder { request in FakeResponse(ExampleResponder.answer(request.messages)) }
        let harness = try GoldenHarness()
        try harness.write("quire.yaml", """
            provider: fake
            defaults: {model: fake-model}
            providers:
              fake:
                base_url: \(server.baseURL)
                api_key_env: FAKE_API_KEY
                headers: {X-Team: secret-team}
            """)
        let workspace = WorkspaceLoader(fileSystem: harness.fileSystem).load()
        let analysis = try #require(WorkspaceValidator(workspace: workspace).validate().analyses["review-digest"])
        let store = GoldenStore(fileSystem: harness.fileSystem, goldenRoot: "golden")
        let tester = GoldenTester(
            workspace: workspace, store: store, environment: ["FAKE_API_KEY": "sk-secret-FAKE-golden"],
            options: GoldenTester.Options(record: .missing, source: .live))
        let (cases, _) = GoldenCasePlanner.cases(of: analysis.workflow, folders: [], goldenRoot: "golden")
        let results = await tester.test(analysis, cases: cases)
        await server.stop()
        #expect(results[0].steps.map(\.status) == [.new, .new], "\(results)")
        #expect(server.chatRequestCount == 4)
        let recordings = try harness.read("golden/review-digest/kettle/golden.recordings.json")
        #expect(!recordings.contains("sk-secret"))
        #expect(!recordings.contains("secret-team"))
        #expect(!recordings.lowercased().contains("authorization"))
        #expect(try GoldenRecordings(json: recordings).exchanges.map(\.label) == ["facts[1]", "facts[2]", "facts[3]", "digest"])
        #expect(!(try harness.read("golden/review-digest/kettle/golden.meta.json")).contains("sk-secret"))
    }
}
