/// Which steps a partial run (`quire run --from STEP`, `--only STEP`) runs again, and which it takes
/// as they were from an earlier run of the same workflow.
///
/// Pure planning: it answers, the runner acts. `--from STEP` re-runs the step and every step that
/// depends on it, directly or not; `--only STEP` re-runs exactly the named steps, and the steps
/// downstream of them that were not named are reused (with a warning). Both may be given: the
/// re-run set is their union.
public struct PartialRunPlan: Sendable, Hashable {
    /// Steps to run again, in plan order.
    public var rerun: [String]
    /// Steps taken from the earlier run, in plan order.
    public var reused: [String]
    /// Reused steps that depend on a re-run step (only with `--only`): their outputs were made from the old one.
    public var staleDownstream: [String]
    /// Warnings about the plan itself (stale downstream steps).
    public var warnings: [Diagnostic]

    /// Plans a partial run. Unknown step ids are errors with a did-you-mean suggestion.
    public static func make(analysis: WorkflowAnalysis, from: [String], only: [String]) -> Result<PartialRunPlan, DiagnosticError> {
        var problems: [Diagnostic] = []
        for (option, id) in from.map({ ("--from", $0) }) + only.map({ ("--only", $0) }) where analysis.steps[id] == nil {
            problems.append(.error(
                "run.unknown-step", "\(option) \(id): workflow '\(analysis.workflow.name)' has no step '\(id)'",
                notes: ["steps: \(analysis.order.joined(separator: ", "))"],
                suggestion: Suggestions.didYouMean(id, in: analysis.order)))
        }
        if !problems.isEmpty { return .failure(DiagnosticError(problems)) }

        let fromClosure = downstream(of: from, in: analysis).union(from)
        let named = Set(only)
        let rerunSet = fromClosure.union(named)
        let rerun = analysis.order.filter(rerunSet.contains)
        let reused = analysis.order.filter { !rerunSet.contains($0) }
        let affected = downstream(of: Array(named), in: analysis)
        let stale = reused.filter(affected.contains)

        var warnings: [Diagnostic] = []
        if !stale.isEmpty {
            // Each stale step is named with the `--only` steps it depends on (directly or not), and the
            // suggestion re-runs from exactly those named steps that have stale dependents.
            var upstreamOf: [String: [String]] = [:]
            for id in analysis.order where named.contains(id) {
                let below = downstream(of: [id], in: analysis)
                for step in stale where below.contains(step) { upstreamOf[step, default: []].append(id) }
            }
            let starts = analysis.order.filter { id in named.contains(id) && stale.contains { upstreamOf[$0]?.contains(id) == true } }
            let belowStarts = downstream(of: starts, in: analysis)
            let fromSteps = analysis.order.filter { starts.contains($0) || (from.contains($0) && !belowStarts.contains($0)) }
            let covered = downstream(of: fromSteps, in: analysis).union(fromSteps)
            let rerunFlags = fromSteps.map { "--from \($0)" } + analysis.order.filter { named.contains($0) && !covered.contains($0) }.map { "--only \($0)" }
            let groups = Dictionary(grouping: stale) { upstreamOf[$0] ?? [] }
            let clauses = stale.compactMap { step -> String? in
                let upstream = upstreamOf[step] ?? []
                guard groups[upstream]?.first == step, let members = groups[upstream] else { return nil }
                let verb = members.count == 1 ? "depends" : "depend"
                return "\(members.map { "'\($0)'" }.joined(separator: ", ")) \(verb) on \(upstream.map { "'\($0)'" }.joined(separator: ", "))"
            }
            warnings.append(.warning(
                "run.reused-downstream",
                "\(clauses.joined(separator: "; ")) but \(stale.count == 1 ? "is" : "are") reused as \(stale.count == 1 ? "it was" : "they were"), made from the earlier output",
                suggestion: "to re-run \(stale.count == 1 ? "it" : "them") too, use \(rerunFlags.joined(separator: " ")) (or add --only \(stale.joined(separator: " --only ")))"))
        }
        return .success(PartialRunPlan(rerun: rerun, reused: reused, staleDownstream: stale, warnings: warnings))
    }

    /// Every step that depends on one of `ids`, directly or not (not `ids` themselves, unless a cycle says so).
    public static func downstream(of ids: [String], in analysis: WorkflowAnalysis) -> Set<String> {
        var dependents: [String: [String]] = [:]
        for id in analysis.order {
            for dependency in analysis.steps[id]?.dependencies ?? [] { dependents[dependency, default: []].append(id) }
        }
        var found = Set<String>()
        var pending = ids.flatMap { dependents[$0] ?? [] }
        while let id = pending.popLast() {
            guard found.insert(id).inserted else { continue }
            pending += dependents[id] ?? []
        }
        return found
    }

    // MARK: - The earlier run

    /// Whether `manifest` can provide every reused step: the same workflow, and each reused step succeeded.
    public func canReuse(_ manifest: RunManifest, workflow: String) -> Bool {
        manifest.workflow == workflow && reused.allSatisfy { manifest.steps[$0]?.status == .succeeded }
    }

    /// The run a partial run reuses by default: the newest (by start time, then id) that can provide every reused step.
    public func newestUsable(_ manifests: [RunManifest], workflow: String) -> RunManifest? {
        manifests.filter { canReuse($0, workflow: workflow) }
            .max { ($0.startedAt, $0.runID) < ($1.startedAt, $1.runID) }
    }

    /// Why `manifest` cannot be reused: another workflow, or reused steps that did not succeed in it.
    /// - Parameter analysis: locates each step's declaration for the message.
    public func problems(reusing manifest: RunManifest, analysis: WorkflowAnalysis) -> [Diagnostic] {
        let workflow = analysis.workflow.name
        guard manifest.workflow == workflow else {
            return [.error(
                "run.reuse-other-workflow",
                "run \(manifest.runID) is a run of workflow '\(manifest.workflow)', not '\(workflow)'",
                suggestion: "pick a run under the folder of '\(workflow)' with --reuse, or leave --reuse out to use the newest")]
        }
        var problems: [Diagnostic] = []
        for id in reused {
            let status = manifest.steps[id]?.status
            guard status != .succeeded else { continue }
            let what = status.map { "\($0.rawValue) in run \(manifest.runID)" } ?? "did not run in run \(manifest.runID)"
            problems.append(.error(
                "run.reuse-not-succeeded", "step '\(id)' would be reused but \(what)",
                at: analysis.steps[id]?.step.location(of: "id"),
                suggestion: "re-run it too: add --only \(id), or start earlier with --from \(id)"))
        }
        return problems
    }

    /// The records of the reused steps in the new run's manifest: succeeded, `reused_from` the earlier
    /// run, the prompt stamp they were produced with, the same output paths, and no calls (they cost
    /// nothing in this run; the earlier run recorded their tokens).
    public func reusedRecords(from manifest: RunManifest) -> [StepRecord] {
        reused.compactMap { id in
            guard let earlier = manifest.steps[id] else { return nil }
            var record = StepRecord(id: id, kind: earlier.kind, status: .succeeded, prompt: earlier.prompt, outputs: earlier.outputs.sorted(), warnings: earlier.warnings)
            record.reusedFrom = manifest.runID
            return record
        }
    }

    /// Warnings for reused steps whose prompt changed since the earlier run produced them (another
    /// version, or the same version with different content).
    public func promptChanges(since manifest: RunManifest, analysis: WorkflowAnalysis) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        for id in reused {
            guard let earlier = manifest.steps[id]?.prompt, let prompt = analysis.steps[id]?.prompt else { continue }
            let changed: String
            if earlier.name != prompt.name || earlier.version != prompt.version {
                changed = "step '\(id)' now uses \(prompt.id), but its reused output was made with \(earlier.name)@v\(earlier.version)"
            } else if earlier.sha256 != prompt.sha256 {
                changed = "prompt \(prompt.id) (\(prompt.path)) changed since run \(manifest.runID) made the reused output of step '\(id)' (sha256 \(earlier.sha256.prefix(12)) → \(prompt.sha256.prefix(12)))"
            } else {
                continue
            }
            warnings.append(.warning(
                "run.reused-prompt-changed", changed,
                suggestion: "to re-run it with the current prompt, add --only \(id) or use --from \(id)"))
        }
        return warnings
    }

    /// The inputs of the partial run: the earlier run's recorded inputs, where the workflow still declares
    /// them, become the defaults that `--var` / `--vars-file` may override.
    public static func workflow(_ workflow: Workflow, withInputsOf manifest: RunManifest) -> Workflow {
        var copy = workflow
        for index in copy.inputs.indices {
            if let value = manifest.inputs[copy.inputs[index].name] { copy.inputs[index].defaultValue = value }
        }
        return copy
    }
}
