import Testing

@testable import QuireCore

@Suite("History: comparing two runs")
struct RunComparisonTests {
    static func manifest(_ id: String, planVersion: Int = 2, planSHA: String = "aaa", temperature: Value = 0.2, topic: String = "T") -> RunManifest {
        var m = RunManifest(
            quireVersion: "0.1.0", runID: id, workflow: "w", workflowPath: "workflows/w.yaml", workflowSHA256: "x", caseName: nil,
            startedAt: "2026-11-22T09:30:15.000Z", inputs: ["topic": .string(topic)], order: ["plan", "sections"])
        m.steps["plan"] = StepRecord(
            id: "plan", kind: "prompt", status: .succeeded,
            prompt: PromptStamp(name: "plan", version: planVersion, path: "prompts/plan/v\(planVersion).prompt", sha256: planSHA),
            outputs: ["steps/plan.txt"],
            calls: [CallRecord(item: nil, status: .succeeded, provider: "fake", model: "m", parameters: ["temperature": temperature], requestSHA256: "r")])
        m.steps["sections"] = StepRecord(
            id: "sections", kind: "prompt-fan-out", status: .succeeded, prompt: PromptStamp(name: "s", version: 1, path: "", sha256: "bbb"),
            outputs: ["steps/sections/001.txt", "steps/sections/002.txt"],
            calls: [1, 2].map { (n: Int) in CallRecord(item: n, status: .succeeded, provider: "fake", model: "m", parameters: [:], requestSHA256: "r\(n)") })
        m.artifacts = ["report.md"]
        return m
    }

    static let files = [
        "steps/plan.txt": "- One\n- Two\n", "steps/sections/001.txt": "First\nsection\n", "steps/sections/002.txt": "Second\n",
        "report.md": "# Report\n",
    ]

    @Test func identicalRunsCompareEqual() {
        let comparison = RunComparison(a: Self.manifest("a"), b: Self.manifest("b"), filesA: Self.files, filesB: Self.files)
        #expect(comparison.isIdentical)
        #expect(comparison.rendered.contains("identical"))
        #expect(comparison.value.objectValue?["identical"] == true)
    }

    @Test func aChangedOutputIsAUnifiedDiffOfThatStepOnly() {
        var filesB = Self.files
        filesB["steps/sections/002.txt"] = "Second, rewritten\n"
        let comparison = RunComparison(a: Self.manifest("a"), b: Self.manifest("b"), filesA: Self.files, filesB: filesB)
        #expect(!comparison.isIdentical)
        #expect(comparison.steps.map(\.isIdentical) == [true, false])
        let file = comparison.steps[1].files.first
        #expect(file?.path == "steps/sections/002.txt")
        #expect(file?.diff.rendered == "--- a/steps/sections/002.txt\n+++ b/steps/sections/002.txt\n@@ -1 +1 @@\n-Second\n+Second, rewritten\n")
        #expect(comparison.rendered.hasSuffix("1 of 2 steps differ\n"))
        #expect(!comparison.rendered.contains("step plan"))
    }

    @Test func promptVersionsHashesParametersAndInputsAreNamed() {
        let a = Self.manifest("a")
        let b = Self.manifest("b", planVersion: 3, planSHA: "ccc", temperature: 0.7, topic: "U")
        let comparison = RunComparison(a: a, b: b, filesA: Self.files, filesB: Self.files)
        #expect(!comparison.isIdentical)
        #expect(comparison.inputs == [.init(name: "topic", old: #""T""#, new: #""U""#)])
        let plan = comparison.steps[0]
        #expect(plan.changes.map(\.name) == ["prompt", "prompt sha256"])
        #expect(plan.changes[0].old == "plan@v2" && plan.changes[0].new == "plan@v3")
        #expect(plan.parameters == [.init(name: "temperature", old: "0.2", new: "0.7")])
        #expect(plan.files.isEmpty)
        let text = comparison.rendered
        #expect(text.contains("  prompt: plan@v2 → plan@v3\n"))
        #expect(text.contains("  parameter temperature: 0.2 → 0.7\n"))
        #expect(text.contains("  topic: \"T\" → \"U\"\n"))
    }

    @Test func stepsOnlyInOneRunAndMissingFilesShow() {
        var b = Self.manifest("b")
        b.steps["sections"] = nil
        b.order = ["plan"]
        var filesB = Self.files
        filesB["report.md"] = nil
        let comparison = RunComparison(a: Self.manifest("a"), b: b, filesA: Self.files, filesB: filesB)
        #expect(comparison.steps.map(\.stepID) == ["plan", "sections"])
        #expect(comparison.steps[1].onlyIn == "a")
        #expect(comparison.artifacts.map(\.path) == ["report.md"])
        #expect(comparison.artifacts[0].diff.removedCount == 1)
        #expect(comparison.rendered.contains("step sections: only in a\n"))
    }
}
