import Testing
@testable import QuireCore

@Suite("Partial run plan")
struct PartialRunPlanTests {
    /// a → b → d, c → d, and e on its own.
    static let analysis: WorkflowAnalysis = {
        let workflow = """
            inputs:
              name: {type: string}
            steps:
              - id: a
                prompt: greeter@v1
              - id: b
                prompt: greeter@v1
                needs: [a]
              - id: c
                prompt: greeter@v1
              - id: d
                prompt: greeter@v1
                needs: [b, c]
              - id: e
                prompt: greeter@v1
            """
        let result = TestWorkspace(["prompts/greeter/v1.prompt": basicPrompt, "workflows/w.yaml": workflow]).validate()
        return result.analyses["w"]!
    }()

    static var example: WorkflowAnalysis {
        TestWorkspace(ExampleWorkspace.files).validate(["publishing-report"]).analyses["publishing-report"]!
    }

    static func plan(from: [String] = [], only: [String] = []) throws -> PartialRunPlan {
        try PartialRunPlan.make(analysis: analysis, from: from, only: only).get()
    }

    /// A manifest of a run of `w` where every step has `status`, except those in `overrides`.
    static func manifest(_ id: String, startedAt: String, workflow: String = "w", status: StepRecord.Status = .succeeded, overrides: [String: StepRecord.Status] = [:]) -> RunManifest {
        var manifest = RunManifest(quireVersion: "0", runID: id, workflow: workflow, workflowPath: "workflows/w.yaml", workflowSHA256: "", caseName: nil, startedAt: startedAt, inputs: ["name": "Ada"], order: analysis.order)
        for step in analysis.order {
            let prompt = PromptStamp(name: "greeter", version: 1, path: "prompts/greeter/v1.prompt", sha256: analysis.steps[step]!.prompt!.sha256)
            let call = CallRecord(item: nil, status: .succeeded, provider: "p", model: "m", parameters: [:], requestSHA256: "x", usage: Usage(promptTokens: 5, completionTokens: 5, totalTokens: 10))
            manifest.steps[step] = StepRecord(id: step, kind: "prompt", status: overrides[step] ?? status, prompt: prompt, outputs: ["steps/\(step).txt"], calls: [call])
        }
        return manifest
    }

    @Test func fromRerunsTheStepAndEverythingDownstream() throws {
        let plan = try Self.plan(from: ["b"])
        #expect(plan.rerun == ["b", "d"])
        #expect(plan.reused == ["a", "c", "e"])
        #expect(plan.warnings.isEmpty)
        #expect(try Self.plan(from: ["a"]).rerun == ["a", "b", "d"])
        #expect(try Self.plan(from: ["d"]).rerun == ["d"])
        #expect(try Self.plan(from: ["e"]).reused == ["a", "c", "b", "d"])
    }

    @Test func onlyRerunsExactlyTheNamedStepsAndWarnsAboutStaleDownstream() throws {
        let plan = try Self.plan(only: ["a"])
        #expect(plan.rerun == ["a"])
        #expect(plan.reused == ["c", "e", "b", "d"])
        #expect(plan.staleDownstream == ["b", "d"])
        #expect(plan.warnings.map(\.id) == ["run.reused-downstream"])
        let warning = try #require(plan.warnings.first)
        #expect(warning.message.contains("'b', 'd' depend on 'a'"))
        #expect(warning.suggestion?.contains("--from a") == true)

        let two = try Self.plan(only: ["a", "b"])
        #expect(two.rerun == ["a", "b"])
        #expect(two.staleDownstream == ["d"])
        let leaf = try Self.plan(only: ["e"])
        #expect(leaf.staleDownstream.isEmpty)
        #expect(leaf.warnings.isEmpty)
    }

    /// The warning names each stale step with the `--only` steps it actually depends on, and its
    /// suggestion, taken as given, re-runs every stale step and leaves nothing stale.
    @Test(arguments: [["a", "d"], ["a", "c"], ["c"], ["a", "b"], ["b", "a", "e"]])
    func theStaleDownstreamSuggestionIsExactAndSuffices(_ only: [String]) throws {
        let plan = try Self.plan(only: only)
        let warning = try #require(plan.warnings.first)
        // "'b' depends on 'a'; 'd' depends on 'a', 'c' but are reused …" → step: the steps it is said to depend on.
        var said: [String: [String]] = [:]
        let names = { (text: Substring) in text.split(separator: ", ").map { String($0.dropFirst().dropLast()) } }
        for clause in try #require(warning.message.components(separatedBy: " but ").first).components(separatedBy: "; ") {
            let parts = clause.components(separatedBy: clause.contains(" depends on ") ? " depends on " : " depend on ")
            for step in names(Substring(parts[0])) { said[step] = names(Substring(parts[1])) }
        }
        for step in plan.staleDownstream {
            let upstream = Self.analysis.order.filter { only.contains($0) && PartialRunPlan.downstream(of: [$0], in: Self.analysis).contains(step) }
            #expect(said[step] == upstream, "\(warning.message)")
        }
        #expect(Set(said.keys) == Set(plan.staleDownstream), "\(warning.message)")
        let suggestion = try #require(warning.suggestion)
        let flags = suggestion.split(separator: "use ")[1].split(separator: " (or")[0].split(separator: " ").map(String.init)
        var from: [String] = [], again: [String] = []
        for index in stride(from: 0, to: flags.count, by: 2) {
            if flags[index] == "--from" { from.append(flags[index + 1]) } else { again.append(flags[index + 1]) }
        }
        let followed = try Self.plan(from: from, only: again)
        #expect(followed.warnings.isEmpty, "\(suggestion)")
        #expect(Set(followed.rerun).isSuperset(of: plan.rerun + plan.staleDownstream), "\(suggestion)")
    }

    @Test func theWarningNamesOnlyTheStepsAStaleStepDependsOn() throws {
        let plan = try Self.plan(only: ["a", "d"])
        #expect(plan.staleDownstream == ["b"])
        let warning = try #require(plan.warnings.first)
        #expect(warning.message.hasPrefix("'b' depends on 'a' but is reused as it was"), "\(warning.message)")
        #expect(warning.suggestion?.hasPrefix("to re-run it too, use --from a (or add --only b)") == true, "\(warning.suggestion ?? "")")
        let both = try Self.plan(only: ["a", "c"])
        #expect(both.warnings.first?.message.hasPrefix("'b' depends on 'a'; 'd' depends on 'a', 'c' but are reused") == true, "\(both.warnings.first?.message ?? "")")
    }

    @Test func fromAndOnlyTogetherRerunTheirUnion() throws {
        let plan = try Self.plan(from: ["b"], only: ["e"])
        #expect(plan.rerun == ["e", "b", "d"], "plan order")
        #expect(plan.reused == ["a", "c"])
        #expect(plan.warnings.isEmpty)
    }

    @Test func unknownStepsAreErrorsWithSuggestions() {
        guard case .failure(let error) = PartialRunPlan.make(analysis: Self.example, from: ["sectoins"], only: ["plam", "zzz"]) else {
            Issue.record("expected errors")
            return
        }
        #expect(error.diagnostics.map(\.id) == ["run.unknown-step", "run.unknown-step", "run.unknown-step"])
        #expect(error.diagnostics[0].description == "error: --from sectoins: workflow 'publishing-report' has no step 'sectoins'; did you mean 'sections'? [run.unknown-step]")
        #expect(error.diagnostics[1].suggestion == "did you mean 'plan'?")
        #expect(error.diagnostics[2].suggestion == nil)
        #expect(error.diagnostics[2].notes == ["steps: plan, sections, report"])
    }

    @Test func theExampleFromSectionsReusesOnlyThePlan() throws {
        let plan = try PartialRunPlan.make(analysis: Self.example, from: ["sections"], only: []).get()
        #expect(plan.rerun == ["sections", "report"])
        #expect(plan.reused == ["plan"])
        let onlyPlan = try PartialRunPlan.make(analysis: Self.example, from: [], only: ["plan"]).get()
        #expect(onlyPlan.staleDownstream == ["sections", "report"])
    }

    @Test func theNewestRunWithEveryReusedStepSucceededIsPicked() throws {
        let plan = try Self.plan(from: ["d"])
        let old = Self.manifest("20261122-080000-aaaa", startedAt: "2026-11-22T08:00:00.000Z")
        let newer = Self.manifest("20261122-090000-bbbb", startedAt: "2026-11-22T09:00:00.000Z")
        // Newest of all, but 'c' failed in it; 'd' failing does not matter (it is re-run).
        let failed = Self.manifest("20261122-100000-cccc", startedAt: "2026-11-22T10:00:00.000Z", overrides: ["c": .failed, "d": .skipped])
        let otherWorkflow = Self.manifest("20261122-110000-dddd", startedAt: "2026-11-22T11:00:00.000Z", workflow: "other")
        #expect(plan.newestUsable([old, failed, newer, otherWorkflow], workflow: "w")?.runID == newer.runID)
        let onlyD = Self.manifest("20261122-120000-eeee", startedAt: "2026-11-22T12:00:00.000Z", overrides: ["d": .failed])
        #expect(plan.newestUsable([old, onlyD], workflow: "w")?.runID == onlyD.runID)
        #expect(plan.newestUsable([failed, otherWorkflow], workflow: "w") == nil)
    }

    @Test func reusedStepsThatDidNotSucceedAreNamedWithAFix() throws {
        let plan = try Self.plan(from: ["d"])
        let run = Self.manifest("r1", startedAt: "2026-11-22T08:00:00.000Z", overrides: ["c": .failed])
        var withoutE = run
        withoutE.steps["e"] = nil
        let problems = plan.problems(reusing: withoutE, analysis: Self.analysis)
        #expect(problems.map(\.id) == ["run.reuse-not-succeeded", "run.reuse-not-succeeded"])
        #expect(problems[0].message == "step 'c' would be reused but failed in run r1")
        #expect(problems[0].suggestion == "re-run it too: add --only c, or start earlier with --from c")
        #expect(problems[0].location?.file == "workflows/w.yaml")
        #expect(problems[0].location?.line == 9)
        #expect(problems[1].message == "step 'e' would be reused but did not run in run r1")
        #expect(plan.problems(reusing: Self.manifest("r2", startedAt: "x"), analysis: Self.analysis).isEmpty)

        let other = plan.problems(reusing: Self.manifest("r3", startedAt: "x", workflow: "other"), analysis: Self.analysis)
        #expect(other.map(\.id) == ["run.reuse-other-workflow"])
        #expect(other[0].message == "run r3 is a run of workflow 'other', not 'w'")
    }

    @Test func reusedRecordsCarryTheirProvenanceAndNoCalls() throws {
        let plan = try Self.plan(from: ["b"])
        var run = Self.manifest("20261122-080000-aaaa", startedAt: "2026-11-22T08:00:00.000Z")
        run.steps["a"]?.prompt.sha256 = "0ld"
        run.steps["a"]?.warnings = ["step 'a' stopped at the output limit"]
        let records = plan.reusedRecords(from: run)
        #expect(records.map(\.id) == ["a", "c", "e"])
        let a = try #require(records.first)
        #expect(a.status == .succeeded)
        #expect(a.reusedFrom == "20261122-080000-aaaa")
        #expect(a.prompt.sha256 == "0ld")
        #expect(a.calls.isEmpty)
        #expect(a.totalUsage == Usage())
        #expect(a.outputs == ["steps/a.txt"])
        #expect(a.warnings == ["step 'a' stopped at the output limit"])
        // The stamp survives a round trip through manifest.json.
        #expect(a.value.objectValue?["reused_from"] == "20261122-080000-aaaa")
        #expect(try StepRecord(value: a.value) == a)
    }

    @Test func theManifestRecordsTheReusedRun() throws {
        var manifest = Self.manifest("new", startedAt: "2026-11-22T08:00:00.000Z")
        #expect(manifest.value.objectValue?["reuses_run"] == nil)
        manifest.reusesRun = "20261122-080000-aaaa"
        let object = try #require(manifest.value.objectValue)
        #expect(object["reuses_run"] == "20261122-080000-aaaa")
        #expect(try RunManifest(value: manifest.value).reusesRun == "20261122-080000-aaaa")
    }

    @Test func aChangedPromptOfAReusedStepIsAWarning() throws {
        let plan = try Self.plan(from: ["d"])
        var run = Self.manifest("r1", startedAt: "2026-11-22T08:00:00.000Z")
        #expect(plan.promptChanges(since: run, analysis: Self.analysis).isEmpty)
        run.steps["c"]?.prompt.sha256 = "0123456789abcdef0123"
        run.steps["e"]?.prompt.version = 0
        run.steps["d"]?.prompt.sha256 = "changed but re-run"
        let warnings = plan.promptChanges(since: run, analysis: Self.analysis)
        #expect(warnings.map(\.id) == ["run.reused-prompt-changed", "run.reused-prompt-changed"])
        #expect(warnings[0].message.hasPrefix("prompt greeter@v1 (prompts/greeter/v1.prompt) changed since run r1 made the reused output of step 'c' (sha256 0123456789ab → "))
        #expect(warnings[0].suggestion == "to re-run it with the current prompt, add --only c or use --from c")
        #expect(warnings[1].message == "step 'e' now uses greeter@v1, but its reused output was made with greeter@v0")
    }

    @Test func theEarlierInputsBecomeDefaultsThatVarsOverride() throws {
        var run = Self.manifest("r1", startedAt: "x")
        run.inputs = ["name": "Ada", "gone": "no longer declared"]
        let workflow = PartialRunPlan.workflow(Self.analysis.workflow, withInputsOf: run)
        #expect(try InputResolver.resolve(workflow: workflow).get() == ["name": "Ada"])
        #expect(try InputResolver.resolve(workflow: workflow, variables: [("name", "Grace")]).get() == ["name": "Grace"])
        guard case .failure(let error) = InputResolver.resolve(workflow: workflow, variables: [("nmae", "x")]) else {
            Issue.record("an unknown input is still an error")
            return
        }
        #expect(error.diagnostics.map(\.id) == ["run.unknown-input"])
    }
}
