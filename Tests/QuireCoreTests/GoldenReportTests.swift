import Testing
@testable import QuireCore

@Suite("Golden reports: summary, accept commands, JSON and JUnit XML")
struct GoldenReportTests {
    let report = GoldenReport(
        cases: [
            GoldenCaseResult(
                workflow: "publishing-report", caseName: "swift-concurrency", source: .replay,
                steps: [
                    GoldenStepResult(step: "plan", status: .passed, files: ["golden/publishing-report/swift-concurrency/plan.json"]),
                    GoldenStepResult(
                        step: "report", status: .changed, diffs: ["--- a\n+++ b\n@@ -1 +1 @@\n-<old> & \"x\"\n+new\u{1B}[31m\n"],
                        notes: ["prompt report-merge@v1 changed"], files: ["golden/publishing-report/swift-concurrency/report.txt"], hasOutput: true),
                ], outputFolder: ".quire/test-output/publishing-report/swift-concurrency"),
            GoldenCaseResult(
                workflow: "review-digest", caseName: "kettle's", source: .live,
                steps: [
                    GoldenStepResult(step: "facts", status: .failed, notes: ["replay miss"]),
                    GoldenStepResult(step: "digest", status: .skipped, notes: ["not run: it depends on failed step 'facts'"]),
                    GoldenStepResult(step: "extra", status: .new, recorded: true, files: ["golden/review-digest/kettle's/extra.txt"]),
                    GoldenStepResult(step: "old", status: .stale, notes: ["model a → b"], hasOutput: true),
                ], outputFolder: ".quire/test-output/review-digest/kettle's"),
        ], record: .missing, outputRoot: ".quire/test-output")

    @Test func summaryCountsEveryStatus() {
        #expect(report.summary == "2 cases, 6 steps: 1 passed, 1 changed, 1 new, 1 stale, 0 missing, 1 failed, 1 skipped")
        #expect(!report.success)
        #expect(report.recordedFiles == 1)
    }

    @Test func acceptCommandsNameExactlyTheStepsToAccept() {
        #expect(report.acceptCommands() == [
            "quire accept publishing-report --case swift-concurrency --step report",
            "quire accept review-digest --case 'kettle'\\''s' --step old",
        ])
        #expect(report.acceptCommands(suffix: " -C ws").first?.hasSuffix(" -C ws") == true)
    }

    @Test func aRunThatRecordsNeverSucceeds() {
        let recorded = GoldenReport(
            cases: [GoldenCaseResult(workflow: "w", caseName: "c", source: .live, steps: [GoldenStepResult(step: "s", status: .passed, recorded: true)], outputFolder: nil)],
            record: .all, outputRoot: ".quire/test-output")
        #expect(!recorded.success)
        let passed = GoldenReport(
            cases: [GoldenCaseResult(workflow: "w", caseName: "c", source: .replay, steps: [GoldenStepResult(step: "s", status: .passed)], outputFolder: nil)],
            record: .never, outputRoot: ".quire/test-output")
        #expect(passed.success)
        #expect(!GoldenReport(cases: [], record: .never, outputRoot: "").success)
    }

    @Test func junitXMLIsStableAndEscaped() {
        #expect(report.junitXML == """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="quire test" tests="6" failures="3" errors="1" skipped="1">
              <testsuite name="publishing-report" tests="2" failures="1" errors="0" skipped="0">
                <testcase classname="publishing-report.swift-concurrency" name="plan" file="golden/publishing-report/swift-concurrency/plan.json"/>
                <testcase classname="publishing-report.swift-concurrency" name="report" file="golden/publishing-report/swift-concurrency/report.txt">
                  <failure message="changed" type="changed">prompt report-merge@v1 changed
            --- a
            +++ b
            @@ -1 +1 @@
            -&lt;old&gt; &amp; &quot;x&quot;
            +new\u{FFFD}[31m
            </failure>
                </testcase>
              </testsuite>
              <testsuite name="review-digest" tests="4" failures="2" errors="1" skipped="1">
                <testcase classname="review-digest.kettle&apos;s" name="facts">
                  <error message="failed" type="failed">replay miss</error>
                </testcase>
                <testcase classname="review-digest.kettle&apos;s" name="digest">
                  <skipped message="not run: it depends on failed step &apos;facts&apos;"/>
                </testcase>
                <testcase classname="review-digest.kettle&apos;s" name="extra" file="golden/review-digest/kettle&apos;s/extra.txt">
                  <failure message="new (recorded)" type="new"></failure>
                </testcase>
                <testcase classname="review-digest.kettle&apos;s" name="old">
                  <failure message="stale" type="stale">model a → b</failure>
                </testcase>
              </testsuite>
            </testsuites>

            """)
    }

    @Test func jsonHoldsTheSummaryAndEveryStep() throws {
        let value = report.jsonValue()
        let object = try #require(value.objectValue)
        #expect(object["success"] == false)
        #expect(object["record_mode"] == "missing")
        #expect(object["summary"]?.objectValue?["changed"] == 1)
        #expect(object["summary"]?.objectValue?["recorded_files"] == 1)
        #expect(object["accept"]?.listValue?.count == 2)
        let steps = object["cases"]?.listValue?.first?.objectValue?["steps"]?.listValue
        #expect(steps?[1].objectValue?["status"] == "changed")
        #expect(steps?[1].objectValue?["diffs"]?.listValue?.count == 1)
    }
}

@Suite("Finding golden cases")
struct GoldenCasePlannerTests {
    let workflow: Workflow = {
        let workspace = TestWorkspace(ExampleWorkspace.files).load()
        return workspace.workflows["publishing-report"]!
    }()

    @Test func workflowCasesComeFirstThenFolderCases() throws {
        let folders = [
            GoldenFolder(name: "swift-concurrency", inputsText: nil),
            GoldenFolder(name: "zig", inputsText: "topic: Zig comptime\naudience: systems programmers\n"),
            GoldenFolder(name: "actors", inputsText: "topic: Actors\n"),
        ]
        let (cases, problems) = GoldenCasePlanner.cases(of: workflow, folders: folders, goldenRoot: "golden")
        #expect(problems == [])
        #expect(cases.map(\.name) == ["swift-concurrency", "sqlite-wal", "actors", "zig"])
        #expect(cases[2].definedIn == "golden/publishing-report/actors/inputs.yaml")
        #expect(try cases[2].inputs.get() == ["topic": "Actors", "audience": "software engineers"])
        #expect(try cases[0].inputs.get()["topic"] == "Structured concurrency in Swift")
    }

    @Test func problemsWithFoldersAreReported() {
        let folders = [
            GoldenFolder(name: "sqlite-wal", inputsText: "topic: again\n"),
            GoldenFolder(name: "swift-concurency", inputsText: nil),
            GoldenFolder(name: "bad", inputsText: "topik: x\n"),
        ]
        let (cases, problems) = GoldenCasePlanner.cases(of: workflow, folders: folders, goldenRoot: "golden")
        #expect(problems.map(\.description) == [
            "golden/publishing-report/sqlite-wal/inputs.yaml:1:1: error: case 'sqlite-wal' is defined twice: in workflows/publishing-report.yaml and in golden/publishing-report/sqlite-wal/inputs.yaml; keep one of them [test.duplicate-case]",
            "golden/publishing-report/swift-concurency:1:1: warning: golden/publishing-report/swift-concurency/ belongs to no case: workflow 'publishing-report' has no case 'swift-concurency' and the folder has no inputs.yaml; did you mean 'swift-concurrency'? — or delete the folder [test.orphan-golden-folder]",
        ])
        let bad = cases.first { $0.name == "bad" }
        guard case .failure(let error) = bad?.inputs else {
            Issue.record("expected invalid inputs")
            return
        }
        #expect(error.diagnostics.map(\.id).contains("run.unknown-input"))
    }
}

@Suite("Cases affected by changed files")
struct AffectedCasesTests {
    let workspace = TestWorkspace(ExampleWorkspace.files).load()
    var analyses: [String: WorkflowAnalysis] { WorkspaceValidator(workspace: workspace).validate().analyses }

    func select(_ changed: [String]) -> [String: AffectedCases.Selection] {
        AffectedCases.select(changed: changed, workspace: workspace, analyses: analyses)
    }

    @Test func aPromptAffectsTheWorkflowsThatUseIt() {
        let selection = select(["prompts/section-writer/v1.prompt", "README.md"])
        #expect(selection.keys.sorted() == ["publishing-report"])
        #expect(selection["publishing-report"]?.reasons == ["prompts/section-writer/v1.prompt"])
        #expect(selection["publishing-report"]?.includes("sqlite-wal") == true)
    }

    @Test func anIncludedPartialAffectsEveryPromptThatIncludesIt() {
        #expect(select(["prompts/partials/house-style.md"]).keys.sorted() == ["publishing-report"])
    }

    @Test func configAndWorkflowFilesAffectWholeWorkflows() {
        #expect(select(["quire.yaml"]).keys.sorted() == ["publishing-report", "review-digest"])
        #expect(select(["workflows/review-digest.yaml"]).keys.sorted() == ["review-digest"])
    }

    @Test func anOldVersionOfAPinnedPromptAffectsNothing() {
        #expect(select(["prompts/publishing-plan/v1.prompt"]).isEmpty)
    }

    @Test func aGoldenFolderAffectsOnlyItsCase() {
        let selection = select(["golden/publishing-report/sqlite-wal/plan.json"])
        #expect(selection["publishing-report"]?.reasons == [])
        #expect(selection["publishing-report"]?.includes("sqlite-wal") == true)
        #expect(selection["publishing-report"]?.includes("swift-concurrency") == false)
    }

    @Test func aRestrictedPlanKeepsTheStepAndWhatItNeeds() throws {
        let analysis = try #require(analyses["publishing-report"])
        #expect(analysis.restricted(to: ["sections"]).order == ["plan", "sections"])
        #expect(analysis.restricted(to: ["plan"]).order == ["plan"])
        #expect(analysis.restricted(to: ["report"]).order == ["plan", "sections", "report"])
    }
}
