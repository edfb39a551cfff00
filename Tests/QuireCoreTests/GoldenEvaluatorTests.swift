import Testing
@testable import QuireCore

@Suite("Deciding a step's golden result")
struct GoldenEvaluatorTests {
    func evaluator(_ record: RecordMode) -> GoldenEvaluator {
        GoldenEvaluator(goldenFolder: "golden/w/c", outputFolder: ".quire/test-output/w/c", record: record)
    }

    @Test func equalOutputsPass() {
        let result = evaluator(.missing).evaluate(step: "plan", outcome: .produced(["plan.txt": "x"], items: nil), golden: ["plan.txt": "x"], mode: .exact, stale: [])
        #expect(result.status == .passed)
        #expect(result.isSuccess)
        #expect(result.files == ["golden/w/c/plan.txt"])
    }

    @Test func aMissingGoldenIsNewWhenRecordedAndMissingOtherwise() {
        let new = evaluator(.missing).evaluate(step: "plan", outcome: .produced(["plan.txt": "x"], items: nil), golden: [:], mode: .exact, stale: [])
        #expect(new.status == .new)
        #expect(new.recorded)
        #expect(!new.isSuccess)
        #expect(new.notes == ["no golden yet: recorded 1 file under golden/w/c/ (record mode 'missing')"])
        let missing = evaluator(.never).evaluate(step: "plan", outcome: .produced(["plan.txt": "x"], items: nil), golden: [:], mode: .exact, stale: [])
        #expect(missing.status == .missing)
        #expect(!missing.recorded)
        #expect(missing.notes == ["no golden under golden/w/c/ and record mode 'never' writes none; the output is in .quire/test-output/w/c/"])
    }

    @Test func aDifferenceIsChangedWithADiffAndRecordedOnlyWhenTheModeSaysSo() {
        for (mode, recorded) in [(RecordMode.missing, false), (.failed, true), (.all, true), (.never, false)] {
            let result = evaluator(mode).evaluate(step: "plan", outcome: .produced(["plan.txt": "new\n"], items: nil), golden: ["plan.txt": "old\n"], mode: .exact, stale: [])
            #expect(result.status == .changed)
            #expect(result.recorded == recorded, "\(mode)")
            #expect(result.diffs == ["--- golden/w/c/plan.txt\n+++ .quire/test-output/w/c/plan.txt\n@@ -1 +1 @@\n-old\n+new\n"])
        }
    }

    @Test func recordAllRewritesPassingGoldensAndNeverSucceeds() {
        let result = evaluator(.all).evaluate(step: "plan", outcome: .produced(["plan.txt": "x"], items: nil), golden: ["plan.txt": "x"], mode: .exact, stale: [])
        #expect(result.status == .passed)
        #expect(result.recorded)
        #expect(!result.isSuccess)
    }

    @Test func matchingOutputsOfAChangedPromptAreStale() {
        let stale = ["prompt plan@v2 (prompts/plan/v2.prompt) changed since the golden was made (sha256 aaa → bbb)"]
        let result = evaluator(.missing).evaluate(step: "plan", outcome: .produced(["plan.txt": "x"], items: nil), golden: ["plan.txt": "x"], mode: .exact, stale: stale)
        #expect(result.status == .stale)
        #expect(result.notes == stale)
        #expect(result.isAcceptable)
        #expect(evaluator(.failed).evaluate(step: "plan", outcome: .produced(["plan.txt": "x"], items: nil), golden: ["plan.txt": "x"], mode: .exact, stale: stale).recorded)
    }

    @Test func fanOutItemsAreComparedOneByOne() {
        let golden = ["sections/001.txt": "a", "sections/002.txt": "b", "sections/003.txt": "c"]
        let actual = ["sections/001.txt": "a", "sections/002.txt": "B"]
        let result = evaluator(.missing).evaluate(step: "sections", outcome: .produced(actual, items: 2), golden: golden, mode: .exact, stale: [])
        #expect(result.status == .changed)
        #expect(result.notes == ["the step produced 2 items; the golden has 3", "sections/003.txt was not produced: the golden has it"])
        #expect(result.diffs.count == 2)
        #expect(result.diffs[1].hasPrefix("--- golden/w/c/sections/003.txt\n+++ /dev/null\n"))
    }

    @Test func invalidJSONFailsAndIsNeverRecorded() {
        let result = evaluator(.all).evaluate(step: "facts", outcome: .produced(["facts.txt": "nope"], items: nil), golden: ["facts.txt": "{}"], mode: .json(schema: nil), stale: [])
        #expect(result.status == .failed)
        #expect(!result.recorded)
    }

    @Test func failuresAndSkipsCarryTheirReasonsWithTheCauseFirst() {
        let failed = evaluator(.missing).evaluate(
            step: "sections", outcome: .failed(errors: ["replay miss"], diffs: ["--- a\n+++ b\n"]), golden: ["sections/001.txt": "a"], mode: .exact,
            stale: ["prompt section-writer@v1 changed"])
        #expect(failed.status == .failed)
        #expect(failed.notes == ["prompt section-writer@v1 changed", "replay miss"])
        #expect(failed.diffs == ["--- a\n+++ b\n"])
        let skipped = evaluator(.missing).evaluate(step: "report", outcome: .skipped(blockedBy: ["sections"]), golden: [:], mode: .exact, stale: [])
        #expect(skipped.status == .skipped)
        #expect(skipped.notes == ["not run: it depends on failed step 'sections'"])
    }

    @Test func samplesCombineToTheWorstRunWithAPassCount() {
        let pass = GoldenStepResult(step: "s", status: .passed)
        let change = GoldenStepResult(step: "s", status: .changed, diffs: ["d"])
        let combined = GoldenStepResult.combine([pass, change, pass, change, pass])
        #expect(combined.status == .changed)
        #expect(combined.diffs == ["d"])
        #expect(combined.samples == GoldenStepResult.Samples(passed: 3, total: 5))
        #expect(GoldenStepResult.combine([pass, pass]).status == .passed)
    }
}

@Suite("Golden stamps, metadata and recordings")
struct GoldenStampTests {
    let stamp = GoldenStamp(
        kind: "prompt", prompt: PromptStamp(name: "publishing-plan", version: 2, path: "prompts/publishing-plan/v2.prompt", sha256: "aaaaaaaaaaaaaaaa"),
        partials: ["prompts/partials/house-style.md": "1111"], provider: "local", model: "m",
        parameters: ["temperature": .double(0.2), "max_tokens": .int(200), "seed": .double(0)])

    @Test func anUnchangedStampHasNoChanges() {
        #expect(stamp.changes(since: stamp) == [])
        // A temperature of 0 reads back from JSON as the integer 0: still no change.
        let readBack = GoldenStamp(value: try! JSONText.decode(JSONText.encode(stamp.value, pretty: true)))
        #expect(stamp.changes(since: readBack) == [])
    }

    @Test func everyChangeIsNamed() {
        var now = stamp
        now.prompt.sha256 = "bbbbbbbbbbbbbbbb"
        now.partials = ["prompts/partials/house-style.md": "2222", "prompts/partials/new.md": "3333"]
        now.model = "m2"
        now.parameters["temperature"] = .double(0.3)
        now.parameters["seed"] = nil
        #expect(now.changes(since: stamp) == [
            "prompt publishing-plan@v2 (prompts/publishing-plan/v2.prompt) changed since the golden was made (sha256 aaaaaaaaaaaa → bbbbbbbbbbbb)",
            "partial prompts/partials/house-style.md, included by publishing-plan@v2, changed since the golden was made",
            "publishing-plan@v2 now includes prompts/partials/new.md",
            "model m → m2",
            "seed 0 → (not set)",
            "temperature 0.2 → 0.3",
        ])
        var bumped = stamp
        bumped.prompt.version = 3
        bumped.prompt.sha256 = "cccc"
        #expect(bumped.changes(since: stamp) == ["the step now uses publishing-plan@v3; the golden was made with publishing-plan@v2"])
    }

    @Test func theStampOfAStepComesFromItsPromptAndPartials() throws {
        let workspace = TestWorkspace(ExampleWorkspace.files).load()
        let analysis = try #require(WorkspaceValidator(workspace: workspace).validate().analyses["publishing-report"])
        let plan = try #require(analysis.step("plan"))
        let current = GoldenStamp.current(plan, workspace: workspace, parameters: ModelParameters(model: "m", temperature: 0.2), provider: "local")
        #expect(current.prompt.path == "prompts/publishing-plan/v2.prompt")
        #expect(current.prompt.sha256 == ContentHash.sha256(ExampleWorkspace.files["prompts/publishing-plan/v2.prompt"]!))
        #expect(current.partials == ["prompts/partials/house-style.md": ContentHash.sha256(ExampleWorkspace.files["prompts/partials/house-style.md"]!)])
        #expect(current.model == "m")
        #expect(current.parameters == ["temperature": .double(0.2)])
        let report = try #require(analysis.step("report"))
        let template = GoldenStamp.current(report, workspace: workspace, parameters: nil, provider: "local")
        #expect(template.kind == "template")
        #expect(template.provider == nil)
    }

    @Test func metadataRoundTrips() throws {
        let metadata = GoldenMetadata(
            workflow: "w", caseName: "c", inputs: ["topic": "x"], steps: ["plan": .init(stamp: stamp, files: ["plan.json"])], results: ["plan": "changed"])
        let back = try GoldenMetadata(json: metadata.json)
        #expect(back.steps["plan"]?.files == ["plan.json"])
        #expect(back.steps["plan"]?.stamp.changes(since: stamp) == [])
        #expect(back.results == ["plan": "changed"])
        #expect(back.inputChanges(current: ["topic": "x"]) == [])
        #expect(back.inputChanges(current: ["topic": "y"]) == ["input 'topic' of the case changed since the goldens were made"])
        #expect(throws: ManifestError.self) { try GoldenMetadata(json: "{\"format_version\": 99}") }
    }

    @Test func recordingsAreKeyedByTheCanonicalRequest() throws {
        let request = ChatRequest(model: "m", messages: [ChatMessage(.user, "Hi")], parameters: ModelParameters(temperature: 0))
        let exchange = RecordedExchange(
            step: "greet", item: nil, request: request.canonicalValue,
            response: RecordedResponse(content: "Hello", finishReason: "stop", model: "m-1", usage: Usage(promptTokens: 1, completionTokens: 1, totalTokens: 2)))
        #expect(exchange.requestSHA256 == request.hash)
        let recordings = GoldenRecordings(exchanges: [exchange])
        let back = try GoldenRecordings(json: recordings.json)
        #expect(back.json == recordings.json)
        // temperature 0 is written as 0 and read back as an integer: the key does not change.
        #expect(back.index[request.hash]?.response.content == "Hello")
        #expect(!recordings.json.contains("Authorization"))
    }

    @Test func theClosestRecordingIsTheSameItemElseTheMostSimilarOfTheStep() {
        func exchange(_ step: String, _ item: Int?, _ text: String) -> RecordedExchange {
            RecordedExchange(
                step: step, item: item, request: ChatRequest(model: "m", messages: [ChatMessage(.user, text)], parameters: ModelParameters()).canonicalValue,
                response: RecordedResponse(content: "", finishReason: nil, model: "m", usage: nil))
        }
        let recordings = GoldenRecordings(exchanges: [exchange("a", 1, "one two three"), exchange("a", 2, "four five six"), exchange("b", nil, "one two three")])
        let request = ChatRequest(model: "m", messages: [ChatMessage(.user, "four five seven")], parameters: ModelParameters()).canonicalValue
        #expect(recordings.closest(to: request, step: "a", item: 1)?.label == "a[1]")
        #expect(recordings.closest(to: request, step: "a", item: 3)?.label == "a[2]")
        #expect(recordings.closest(to: request, step: "c", item: nil) == nil)
    }

    @Test func aTranscriptShowsModelParametersAndMessages() {
        let request = ChatRequest(
            model: "gpt-4o-mini", messages: [ChatMessage(.system, "Be brief."), ChatMessage(.user, "Plan it.\n")],
            parameters: ModelParameters(temperature: 0.2, maxTokens: 200))
        #expect(RequestTranscript.text(request) == """
            model: gpt-4o-mini
            max_tokens: 200
            temperature: 0.2
            ── system
            Be brief.
            ── user
            Plan it.

            """)
    }
}
