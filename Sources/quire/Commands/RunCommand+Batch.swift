import Foundation
import QuireCore
import QuireHistory
import QuireRunner

/// `quire run WORKFLOW --batch FILE` and `--all-cases`: many runs of one workflow at once, in this process.
///
/// Each run is an ordinary run — its own folder, manifest and `--resume` — but the workspace is loaded
/// and validated once, local model servers start once, and all runs share one client per provider, so
/// a provider's `max_concurrency` and rate limits hold across the whole batch. `--concurrency` bounds
/// each run, as it would bound one `quire run`.
extension RunCommand {
    /// One run of a batch before it starts.
    struct BatchRun {
        var label: String
        var caseName: String?
        var values: [String: Value]
        var store: RunStore
    }

    func runBatch(
        workspace: Workspace, fs: LocalFileSystem, analysis: WorkflowAnalysis, resolver: ProviderResolver, options: RunOptions,
        environment: [String: String]
    ) async throws {
        var resolver = resolver
        let runs = try prepareBatch(workspace: workspace, fs: fs, analysis: analysis)

        let interrupts = InterruptHandler()
        let target = CancelTarget()
        interrupts.install { target.fire() }
        defer { interrupts.remove() }
        let planned = WorkflowRunner(workspace: workspace, analysis: analysis, resolver: resolver, clients: ClientPool(resolver: resolver), store: runs[0].store, options: options)
        let servers = LocalServerManager(workspaceRoot: try global.root(), environment: environment, note: { Console.err($0) })
        // Each run has its own budget (--max-cost, --max-tokens and `budget:` bound a run, not the batch).
        var refusals: [Diagnostic] = []
        for run in runs {
            refusals += planned.budgetProblems(inputs: run.values, previous: [:], spent: Usage(), spentCost: 0).map { problem in
                var labelled = problem
                labelled.message = "batch entry \(run.label): \(problem.message)"
                return labelled
            }
        }
        resolver.localEndpoints = try await prepareProviders(planned: planned, servers: servers, target: target, workspace: workspace, budget: refusals)

        // One history for the whole batch (it writes on a queue of its own; each run is its own row).
        let global = self.global
        let history = HistoryRecorder(workspaceRoot: try global.root()) { id, message in
            global.report([.warning(id, message)], sources: [:])
        }
        for run in runs {
            await run.store.attachHistory(history)
            do {
                try await run.store.save()
            } catch {
                await servers.stopAll()
                global.report([.error("run.write-failed", "cannot create the run folder \(run.store.folder.relativePath): \(error.localizedDescription)")], sources: [:])
                throw ExitCodes.failure
            }
        }
        Console.err("batch of \(runs.count) run\(runs.count == 1 ? "" : "s") of \(workflow) → \(workspace.config.paths.output)/\(workflow)/")

        let clients = ClientPool(resolver: resolver)
        let progress = BatchProgress(total: runs.count, color: global.terminal.colorOnStderr)
        let task = Task {
            await withTaskGroup(of: (Int, RunOutcome).self) { group in
                for (index, run) in runs.enumerated() {
                    let runner = WorkflowRunner(
                        workspace: workspace, analysis: analysis, resolver: resolver, clients: clients, store: run.store,
                        options: options, observer: progress.observer(label: run.label))
                    group.addTask { (index, await runner.run(inputs: run.values)) }
                }
                var outcomes: [(Int, RunOutcome)] = []
                for await (index, outcome) in group {
                    progress.finished(label: runs[index].label, outcome: outcome, folder: runs[index].store.folder.relativePath)
                    outcomes.append((index, outcome))
                }
                return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
        target.set { task.cancel() }
        let outcomes = await task.value
        history.finish()
        // Nothing more is sent: the connections are left for the exit to close (see `abandonForExit`).
        await clients.abandonForExit()
        await servers.stopAll()

        for (run, outcome) in zip(runs, outcomes) {
            let errors = outcome.diagnostics.filter(\.isError)
            if !errors.isEmpty {
                Console.err("run \(run.label) (\(outcome.manifest.runID)):")
                global.report(errors, sources: workspace.sources)
            }
        }
        if json {
            Console.out(JSONText.encode(.list(outcomes.map(\.manifest.value)), pretty: true))
        } else {
            for (run, outcome) in zip(runs, outcomes) where outcome.status == .succeeded {
                let folder = run.store.folder.relativePath
                if outcome.manifest.artifacts.isEmpty {
                    Console.out("\(folder)/")
                } else {
                    for artifact in outcome.manifest.artifacts { Console.out("\(folder)/\(artifact)") }
                }
            }
        }
        let usage = outcomes.reduce(Usage()) { $0 + $1.manifest.usage }
        let succeeded = outcomes.filter { $0.status == .succeeded }.count
        let costs = outcomes.map(\.manifest.costUSD)
        let cost = costs.contains(where: { $0 == nil }) ? "cost unknown for some calls" : RunBudget.dollars(costs.compactMap { $0 }.reduce(0, +))
        let hits = outcomes.reduce(0) { $0 + $1.manifest.cacheHits }
        Console.err("\(succeeded) of \(runs.count) runs succeeded: \(usage.totalTokens) tokens (\(usage.promptTokens) prompt + \(usage.completionTokens) completion), \(cost)\(hits > 0 ? ", \(hits) cache hit\(hits == 1 ? "" : "s")" : "")")
        let unfinished = outcomes.filter { $0.status != .succeeded }
        guard !unfinished.isEmpty else { return }
        Console.err("continue the unfinished run\(unfinished.count == 1 ? "" : "s") with:")
        for outcome in unfinished { Console.err("  \(resumeCommand(outcome.manifest.runID))") }
        throw outcomes.contains { $0.status == .interrupted } ? ExitCodes.interrupted : ExitCodes.failure
    }

    /// Resolves the inputs of every entry (all problems at once) and makes a run folder name for each.
    func prepareBatch(workspace: Workspace, fs: LocalFileSystem, analysis: WorkflowAnalysis) throws -> [BatchRun] {
        let workflowDefinition = analysis.workflow
        var entries: [InputBatch.Entry] = []
        if let batch {
            let text: String
            switch readBatchFile(batch) {
            case .failure(let error):
                global.report(error.diagnostics, sources: [:])
                throw ExitCodes.usage
            case .success(let t): text = t
            }
            switch InputBatch.parse(text, path: batch) {
            case .failure(let error):
                global.report(error.diagnostics, sources: [batch: text])
                throw ExitCodes.usage
            case .success(let parsed): entries = parsed.entries
            }
        } else {
            guard !workflowDefinition.cases.isEmpty else {
                global.report([.error("run.no-cases", "workflow '\(workflow)' defines no cases to run with --all-cases", at: .file(workflowDefinition.path), suggestion: "add a `cases:` mapping to the workflow, or use --batch FILE")], sources: [:])
                throw ExitCodes.usage
            }
            entries = workflowDefinition.cases.enumerated().map { InputBatch.Entry(index: $0 + 1, caseName: $1.name, values: [:]) }
        }

        var problems: [Diagnostic] = []
        var runs: [BatchRun] = []
        var ids = Set<String>()
        let now = Date()
        for entry in entries {
            switch inputs.resolve(for: workflowDefinition, caseName: entry.caseName, overriding: entry.values) {
            case .failure(let error):
                problems += error.diagnostics.map { diagnostic in
                    var d = diagnostic
                    d.message = "batch entry \(entry.label): \(d.message)"
                    if d.location == nil { d.location = entry.location }
                    return d
                }
            case .success(let values):
                let id = newRunID(at: now, workflow: workflow, output: workspace.config.paths.output, fs: fs, taken: ids)
                ids.insert(id)
                let relative = "\(workspace.config.paths.output)/\(workflow)/\(id)"
                let folder = try runFolder(relative, fs: fs)
                var manifest = RunManifest(
                    quireVersion: QuireCommand.version, runID: id, workflow: workflow, workflowPath: workflowDefinition.path,
                    workflowSHA256: sha256(of: workflowDefinition.path, fs: fs), caseName: entry.caseName,
                    startedAt: RunID.timestamp(now), inputs: values, order: analysis.order)
                manifest.options = givenOptions
                runs.append(BatchRun(label: entry.label, caseName: entry.caseName, values: values, store: RunStore(folder: folder, manifest: manifest, clock: { Date() })))
            }
        }
        if !problems.isEmpty {
            global.report(problems, sources: workspace.sources)
            throw ExitCodes.usage
        }
        return runs
    }

    func readBatchFile(_ path: String) -> Result<String, DiagnosticError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(DiagnosticError(.error("run.invalid-batch", "cannot read the batch file '\(path)'")))
        }
        return SourceText.decode(data, file: path)
    }
}

/// Plain progress lines for a batch: one when a run ends, and each step failure or warning as it happens,
/// prefixed with the run's label.
final class BatchProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let color: Bool
    private var done = 0
    private let started = ContinuousClock.now

    init(total: Int, color: Bool) {
        self.total = total
        self.color = color
    }

    func observer(label: String) -> any RunObserver { Observer(label: label, progress: self) }

    func finished(label: String, outcome: RunOutcome, folder: String) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        lock.withLock {
            done += 1
            Console.err("[\(done)/\(total)] run \(label): \(outcome.status.rawValue) after \(String(format: "%.1f", seconds)) s, \(outcome.manifest.usage.totalTokens) tokens → \(folder)/")
        }
    }

    func line(_ text: String) {
        lock.withLock { Console.err(text) }
    }

    func warning(_ label: String, _ diagnostic: Diagnostic) {
        lock.withLock { Console.err("run \(label): " + DiagnosticFormatter(color: color).format(diagnostic)) }
    }

    struct Observer: RunObserver {
        let label: String
        let progress: BatchProgress

        func handle(_ event: RunEvent) {
            switch event {
            case .stepFailed(let id, let diagnostic): progress.line("run \(label): \(id): failed (\(diagnostic.id))")
            case .warning(let diagnostic): progress.warning(label, diagnostic)
            default: break
            }
        }
    }
}
