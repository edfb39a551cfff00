import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

/// A partial run (`--from STEP`, `--only STEP`) set up before anything is written: the new run's store,
/// whose manifest already holds the reused steps, its inputs, and the reused outputs.
struct PartialRunStart {
    var store: RunStore
    var inputs: [String: Value]
    var state: ResumeState
    var source: ReusedRun
    var records: [StepRecord]

    /// Copies the reused steps' files into the new run folder (after the folder is created).
    func copyOutputs() throws {
        try source.copyOutputs(of: records, to: store.folder)
    }
}

extension RunCommand {
    var isPartial: Bool { !from.isEmpty || !only.isEmpty }

    /// Option combinations a partial run refuses (called from `validate()`).
    func validatePartialOptions() throws {
        guard isPartial else {
            if reuse != nil { throw ValidationError("--reuse names the run whose outputs a partial run reuses; use it with --from or --only") }
            return
        }
        if resume != nil {
            throw ValidationError("--from and --only start a new run from an earlier one; they cannot be combined with --resume, which continues a run")
        }
        if batch != nil || allCases {
            throw ValidationError("--from and --only re-run part of one earlier run; they cannot be combined with \(batch != nil ? "--batch" : "--all-cases")")
        }
        if inputs.caseName != nil {
            throw ValidationError("a run with --from or --only takes its inputs from the run it reuses; pick that run with --reuse and change inputs with --var or --vars-file, not --case")
        }
    }

    /// Plans a partial run and prepares its store; nil when this is not a partial run. Nothing is written here:
    /// every problem (unknown step, unusable earlier run, bad inputs) is reported with exit 64 before the
    /// run folder exists.
    func preparePartialRun(workspace: Workspace, analysis: WorkflowAnalysis, fs: LocalFileSystem, options: RecordedOptions, clock: @escaping @Sendable () -> Date) throws -> PartialRunStart? {
        guard isPartial else { return nil }
        let plan: PartialRunPlan
        switch PartialRunPlan.make(analysis: analysis, from: from, only: only) {
        case .failure(let error):
            global.report(error.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        case .success(let p): plan = p
        }

        let source = try reusedRun(plan: plan, workspace: workspace, analysis: analysis, fs: fs)
        var problems = plan.problems(reusing: source.manifest, analysis: analysis)
        if problems.hasErrors {
            global.report(problems, sources: workspace.sources)
            throw ExitCodes.usage
        }
        let reusedOutputs: [String: Value]
        switch source.outputs(of: plan.reused, analysis: analysis) {
        case .failure(let error):
            global.report(error.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        case .success(let values): reusedOutputs = values
        }

        // Inputs: the earlier run's, with --var / --vars-file on top.
        let values: [String: Value]
        switch inputs.resolve(for: PartialRunPlan.workflow(analysis.workflow, withInputsOf: source.manifest)) {
        case .failure(let error):
            global.report(error.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        case .success(let v): values = v
        }
        let changed = values.keys.filter { values[$0] != source.manifest.inputs[$0] }.sorted()
        if !changed.isEmpty && !plan.reused.isEmpty {
            problems.append(.warning(
                "run.reused-inputs-changed",
                "input\(changed.count == 1 ? "" : "s") \(changed.map { "'\($0)'" }.joined(separator: ", ")) differ\(changed.count == 1 ? "s" : "") from run \(source.manifest.runID); the reused steps (\(plan.reused.joined(separator: ", "))) keep the outputs made with the earlier inputs",
                suggestion: "to re-run every step with the new inputs, run without --from / --only"))
        }
        problems += plan.warnings + plan.promptChanges(since: source.manifest, analysis: analysis)
        global.report(problems, sources: workspace.sources)

        let now = clock()
        let id = newRunID(at: now, workflow: workflow, output: workspace.config.paths.output, fs: fs)
        let relative = out ?? "\(workspace.config.paths.output)/\(workflow)/\(id)"
        let folder = try runFolder(relative, fs: fs)
        if folder.url.standardizedFileURL.path == source.folder.url.standardizedFileURL.path {
            global.report([.error("run.invalid-out", "the run folder '\(relative)' is the folder of run \(source.manifest.runID); a partial run writes a new run and never changes the one it reuses")], sources: [:])
            throw ExitCodes.usage
        }
        var manifest = RunManifest(
            quireVersion: QuireCommand.version, runID: id, workflow: workflow, workflowPath: analysis.workflow.path,
            workflowSHA256: sha256(of: analysis.workflow.path, fs: fs), caseName: source.manifest.caseName,
            startedAt: RunID.timestamp(now), inputs: values, order: analysis.order)
        manifest.reusesRun = source.manifest.runID
        manifest.options = options
        let records = plan.reusedRecords(from: source.manifest)
        for record in records { manifest.steps[record.id] = record }
        var state = ResumeState()
        state.outputs = reusedOutputs
        return PartialRunStart(store: RunStore(folder: folder, manifest: manifest, clock: clock), inputs: values, state: state, source: source, records: records)
    }

    /// The run named by `--reuse` (a run id, or a run folder when it holds a `/`), else the newest run of
    /// the workflow that can provide every reused step.
    func reusedRun(plan: PartialRunPlan, workspace: Workspace, analysis: WorkflowAnalysis, fs: LocalFileSystem) throws -> ReusedRun {
        let runs = "\(workspace.config.paths.output)/\(workflow)"
        if let reuse {
            let relative: String
            if reuse.contains("/") {
                relative = reuse.hasSuffix("/") ? String(reuse.dropLast()) : reuse
            } else {
                relative = "\(runs)/\(try reusedRunID(reuse, under: runs, fs: fs))"
            }
            let folder = try runFolder(relative, fs: fs, option: "--reuse")
            guard FileManager.default.fileExists(atPath: folder.manifestURL.path) else {
                global.report([notFound(reuse, relative: relative, workspace: workspace, fs: fs)], sources: [:])
                throw ExitCodes.usage
            }
            do {
                return ReusedRun(folder: folder, manifest: try RunStore.loadManifest(folder: folder))
            } catch {
                global.report([.error("run.corrupt-manifest", "cannot read \(relative)/manifest.json: \(error)")], sources: [:])
                throw ExitCodes.usage
            }
        }
        let folder = try runFolder(runs, fs: fs)
        let candidates = ReusedRun.runs(under: folder.url, relativePath: runs)
        guard let newest = plan.newestUsable(candidates.map(\.manifest), workflow: workflow),
              let picked = candidates.first(where: { $0.manifest.runID == newest.runID && $0.manifest.startedAt == newest.startedAt })
        else {
            let needed = plan.reused.map { "'\($0)'" }.joined(separator: ", ")
            var notes: [String] = []
            let recent = candidates.filter { $0.manifest.workflow == workflow }
                .sorted { ($0.manifest.startedAt, $0.manifest.runID) > ($1.manifest.startedAt, $1.manifest.runID) }
            for run in recent.prefix(3) {
                let missing = plan.reused.filter { run.manifest.steps[$0]?.status != .succeeded }
                notes.append("run \(run.manifest.runID): \(missing.map { "'\($0)' \(run.manifest.steps[$0]?.status.rawValue ?? "did not run")" }.joined(separator: ", "))")
            }
            global.report([.error(
                "run.no-reusable-run",
                recent.isEmpty
                    ? "no earlier run of workflow '\(workflow)' in \(runs)/ to take \(needed) from"
                    : "no earlier run of workflow '\(workflow)' in \(runs)/ has \(needed) succeeded",
                notes: notes,
                suggestion: "run the whole workflow first (quire run \(workflow) …), re-run more steps with --from, or name a run with --reuse")], sources: [:])
            throw ExitCodes.usage
        }
        let steps = plan.reused.count == 1 ? "step '\(plan.reused[0])'" : "steps \(plan.reused.map { "'\($0)'" }.joined(separator: ", "))"
        Console.err("reusing run \(picked.manifest.runID) (the newest run of '\(workflow)' with \(plan.reused.isEmpty ? "a manifest" : steps + " succeeded")); pick another with --reuse RUN-ID")
        return picked
    }

    /// `--reuse ID` names no run of this workflow: say whether it is a run of another one.
    /// `--reuse`'s run id: a whole id as it is, or the one run under `runs` whose id starts with it
    /// (`20261122-0930` when only one run started that minute), found as `quire show` finds them.
    func reusedRunID(_ reuse: String, under runs: String, fs: LocalFileSystem) throws -> String {
        let folders = ((try? fs.url(runs)).flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) } ?? []).filter(RunID.isValid)
        // Newest first, as RunIDLookup lists them: run ids begin with their start time.
        let matches = RunID.isValid(reuse) ? folders.filter { $0.hasPrefix(reuse) }.sorted(by: >) : []
        switch RunIDLookup(reuse, matches: matches) {
        case .found(let id):
            return id
        case .ambiguous(let message):
            global.report([.error("run.ambiguous-run-id", "--reuse: \(message) (in \(runs)/)")], sources: [:])
            throw ExitCodes.usage
        case .unknown:
            // No such run here: a well-formed id is looked for elsewhere (another workflow's run) by the caller.
            if RunID.isValid(reuse) { return reuse }
            global.report([.error(
                "run.invalid-run-id", "--reuse \(reuse): invalid run id",
                suggestion: "run ids look like 20261122-093015-3f2a1c; see the folders in \(runs)/ or `quire runs`")], sources: [:])
            throw ExitCodes.usage
        }
    }

    func notFound(_ reuse: String, relative: String, workspace: Workspace, fs: LocalFileSystem) -> Diagnostic {
        if !reuse.contains("/") {
            for other in workspace.workflowPaths.keys.sorted() where other != workflow {
                let path = "\(workspace.config.paths.output)/\(other)/\(reuse)/manifest.json"
                if let url = try? fs.url(path), FileManager.default.fileExists(atPath: url.path) {
                    return .error(
                        "run.reuse-other-workflow", "run \(reuse) is a run of workflow '\(other)', not '\(workflow)'",
                        suggestion: "pick a run in \(workspace.config.paths.output)/\(workflow)/, or leave --reuse out to use the newest")
                }
            }
        }
        return .error(
            "run.not-found", "--reuse \(reuse): no run of workflow '\(workflow)' there: \(relative)/manifest.json does not exist",
            suggestion: "leave --reuse out to use the newest run of '\(workflow)'")
    }
}
