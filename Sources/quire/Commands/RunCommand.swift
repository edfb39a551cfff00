import ArgumentParser
import Foundation
import QuireCore
import QuireHistory
import QuireProviders
import QuireRunner

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow against a model and write every output and a manifest.",
        discussion: """
            Validates first (the same checks as `quire validate`), resolves inputs, then runs the steps: \
            independent steps and for_each items concurrently, each with its own parameters. Outputs go to \
            output/<workflow>/<run-id>/: one file per step (per item for a fan-out), the artifacts named by \
            `output:`, and manifest.json (inputs, prompt versions and hashes, parameters, usage, latency, \
            finish reasons, retries, cost in US dollars, cache hits).

            Cost and budgets: --max-cost / --max-tokens (or `budget:` in the workflow file) are checked \
            before anything is sent — the rendered prompts plus each call's max_tokens — and again before \
            every call. A run whose estimate is over budget does not start (exit 1); a call that could go \
            over stops the run (exit 1), resumable with a bigger budget.

            Response cache: a deterministic request (temperature 0, or a seed) already answered by the same \
            provider is answered from .quire/cache/ at no cost. --no-cache turns it off; --refresh STEP \
            calls the model again for that step and stores the new answers.

            The provider is --provider, else the step's, the workflow's or quire.yaml's, else `openai` when \
            OPENAI_API_KEY is set (environment or the workspace's .env), else `local`: a small model on this \
            machine (install it once with `quire local install`). Quire starts its server before the first \
            step and stops it at the end — or uses the one `quire local start` left running.

            Exit codes: 0 success, 1 a step failed, 64 invalid workflow or inputs, 130 interrupted (resume with --resume).

            Examples:
              quire run publishing-report --var topic="Structured concurrency in Swift"
              quire run publishing-report --case swift-concurrency --model gpt-4o-mini --stream
              quire run publishing-report --resume 20261122-093015-3f2a1c
              quire run publishing-report --batch topics.yaml     # one run per entry, all at once
              quire run publishing-report --from sections
              quire run publishing-report --case swift-concurrency --model gpt-4o-mini --max-cost 0.05
              quire run review-digest --case kettle --refresh facts
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var inputs: InputOptions

    @Argument(help: "The workflow to run.")
    var workflow: String

    @Option(help: "Use this model for every model step.")
    var model: String?

    @Option(help: "Use this provider for every model step (a name from quire.yaml, `openai` or `local`).")
    var provider: String?

    @Option(help: "The most model calls in flight at once (default: the workflow's or quire.yaml's `concurrency`, else 8).")
    var concurrency: Int?

    @Flag(help: "Stream answers and print their text as it arrives.")
    var stream = false

    @Option(help: ArgumentHelp("The run folder, relative to the workspace (default: output/<workflow>/<run-id>).", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Continue an interrupted or failed run: finished steps are read back, not sent again.", valueName: "run-id"))
    var resume: String?

    @Option(help: ArgumentHelp("Re-run this step and every step that depends on it (repeatable); reuse the other steps' outputs from an earlier run (see --reuse).", valueName: "step"))
    var from: [String] = []

    @Option(help: ArgumentHelp("Re-run exactly this step (repeatable); reuse every other step's output from an earlier run.", valueName: "step"))
    var only: [String] = []

    @Option(help: ArgumentHelp("With --from/--only: the run to reuse outputs from (default: the newest run whose reused steps succeeded).", valueName: "run-id"))
    var reuse: String?

    // Both take the next argument whatever it looks like, so that `--max-cost -1` is refused for what it is.
    @Option(parsing: .unconditional, help: ArgumentHelp("Refuse to start, or stop, rather than spend more than this many US dollars (e.g. 0.50).", valueName: "usd"))
    var maxCost: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Refuse to start, or stop, rather than use more than this many tokens (prompt + completion).", valueName: "n"))
    var maxTokens: Int?

    /// The choices of this command line that a manifest records for `--resume`.
    var givenOptions: RecordedOptions {
        RecordedOptions(
            model: model, provider: provider, maxCost: maxCostAmount, maxTokens: maxTokens, noCache: noCache, refresh: refresh,
            modelPath: modelPath.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath).standardizedFileURL.path })
    }

    /// `--max-cost` in US dollars (checked in `validate()`).
    var maxCostAmount: Double? { maxCost.flatMap(RunBudget.dollarAmount) }

    @Flag(help: "Do not read or write the response cache (.quire/cache/).")
    var noCache = false

    @Option(help: ArgumentHelp("Call the model again for this step instead of reading the response cache; the new answers are stored. Repeatable.", valueName: "step"))
    var refresh: [String] = []

    @Flag(help: "Print the manifest as JSON on stdout at the end (with --batch or --all-cases: a JSON list of them).")
    var json = false

    @Option(help: ArgumentHelp("Run the workflow once per entry of this YAML/JSON list of inputs (or .jsonl file), all at once in this process.", valueName: "file"))
    var batch: String?

    @Flag(help: "Run every case of the workflow at once in this process.")
    var allCases = false

    @Option(help: ArgumentHelp("For local providers: serve this GGUF model file instead of `model_path` or the bundled SmolLM2.", valueName: "file"))
    var modelPath: String?

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let maxCost, RunBudget.dollarAmount(maxCost) == nil { throw ValidationError("--max-cost must be a positive amount of US dollars, like 0.50; got '\(maxCost)'") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if noCache && !refresh.isEmpty { throw ValidationError("--refresh writes the response cache, which --no-cache turns off; use one or the other") }
        if batch != nil || allCases {
            if batch != nil && allCases { throw ValidationError("--batch and --all-cases both choose the runs; use one") }
            let flag = batch != nil ? "--batch" : "--all-cases"
            if resume != nil { throw ValidationError("\(flag) starts new runs; resume each unfinished run on its own with --resume RUN-ID") }
            if out != nil { throw ValidationError("\(flag) gives every run its own folder under output/; it cannot be combined with --out") }
            if inputs.caseName != nil { throw ValidationError("\(flag) chooses the inputs of each run; it cannot be combined with --case (a batch entry may name its case with `case:`)") }
            if stream { throw ValidationError("--stream prints one run's text as it arrives; it cannot be combined with \(flag)") }
        }
        if resume != nil && (!inputs.vars.isEmpty || inputs.varsFile != nil || inputs.caseName != nil) {
            throw ValidationError("--resume continues a run with its recorded inputs; it cannot be combined with --var, --vars-file or --case")
        }
        try validatePartialOptions()
    }

    func run() async throws {
        // The HTTP event-loop threads start while the workspace loads (a replayed or cached run never needs them).
        OpenAIClient.warmUp()
        let root = try global.root()
        let (workspace, fs) = try global.loadWorkspace()
        guard workspace.workflowPaths[workflow] != nil else {
            global.report([.error("workflow.not-found", "no workflow '\(workflow)' in \(workspace.config.paths.workflows)/", suggestion: Suggestions.didYouMean(workflow, in: workspace.workflowPaths.keys))], sources: [:])
            throw ExitCodes.usage
        }
        let validation = WorkspaceValidator(workspace: workspace).validate(workflows: [workflow])
        guard let analysis = validation.analyses[workflow], !validation.diagnostics.hasErrors else {
            global.report(validation.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        }
        global.report(validation.diagnostics.filter { $0.location?.file == analysis.workflow.path }, sources: workspace.sources)
        let stepIDs = analysis.order
        for step in refresh where !stepIDs.contains(step) {
            global.report([.error("run.unknown-step", "--refresh names no step of '\(workflow)': '\(step)'", suggestion: Suggestions.didYouMean(step, in: stepIDs))], sources: [:])
            throw ExitCodes.usage
        }
        let modelSteps = stepIDs.filter { analysis.steps[$0]?.step.kind.callsModel == true }
        for step in Set(refresh).sorted() where !modelSteps.contains(step) {
            global.report([.warning(
                "run.refresh-template-step", "--refresh \(step): step '\(step)' is a template step and makes no model calls; there is nothing to refresh",
                suggestion: modelSteps.isEmpty ? nil : "steps that call a model: \(modelSteps.joined(separator: ", "))")], sources: [:])
        }

        // A resumed run continues with the choices it was started with, unless given again.
        let resumed = try loadResumedRun(workspace: workspace, analysis: analysis, fs: fs)
        if let resumed, resumed.manifest.status == .succeeded {
            resumed.folder.removeLeftoversOfFinishedRun()
            Console.out("run \(resumed.manifest.runID) already succeeded: \(resumed.folder.relativePath)")
            return
        }
        let given = givenOptions
        var chosen = given
        if let resumed {
            let earlier = resumed.manifest.options
            let (options, changed) = earlier.resumed(with: given)
            chosen = options
            if !changed.isEmpty {
                let finished = resumed.manifest.order.filter { resumed.manifest.steps[$0]?.status == .succeeded }
                global.report([.warning(
                    "run.resume-options-changed",
                    "run \(resumed.manifest.runID) was started with \(earlier.flags); its steps still to run use \(changed.joined(separator: ", ")) as given now"
                        + (finished.isEmpty ? "" : " (finished steps keep their outputs: \(finished.joined(separator: ", ")))"))], sources: [:])
            }
        }

        let environment = ProviderResolver.environment(workspaceRoot: root)
        var resolver = ProviderResolver(config: workspace.config, environment: environment, localModelPath: chosen.modelPath)
        let options = RunOptions(
            concurrency: concurrency ?? analysis.workflow.concurrency ?? workspace.config.concurrency ?? 8,
            stream: stream, model: chosen.model, provider: chosen.provider, budget: RunBudget(maxCost: chosen.maxCost, maxTokens: chosen.maxTokens),
            cache: chosen.noCache ? nil : ResponseCache(workspaceRoot: root), refresh: Set(chosen.refresh))
        let clock = { @Sendable in Date() }
        if batch != nil || allCases {
            try await runBatch(workspace: workspace, fs: fs, analysis: analysis, resolver: resolver, options: options, environment: environment)
            return
        }

        // Inputs and the run folder: new, or the one being resumed.
        let store: RunStore
        let values: [String: Value]
        var state = ResumeState()
        let partial = try preparePartialRun(workspace: workspace, analysis: analysis, fs: fs, options: chosen, clock: clock)
        if let partial {
            store = partial.store
            values = partial.inputs
            state = partial.state
        } else if let resumed {
            var manifest = resumed.manifest
            if manifest.workflowSHA256 != sha256(of: analysis.workflow.path, fs: fs) {
                global.report([.warning("run.workflow-changed", "\(analysis.workflow.path) changed since run \(manifest.runID) started; finished steps keep their outputs")], sources: [:])
            }
            values = manifest.inputs
            resumed.folder.removeStaleTemporaryFiles()
            state = ResumeState.load(manifest: manifest, folder: resumed.folder, analysis: analysis)
            manifest.options = chosen
            store = RunStore(folder: resumed.folder, manifest: manifest, clock: clock)
        } else {
            switch inputs.resolve(for: analysis.workflow) {
            case .failure(let error):
                global.report(error.diagnostics, sources: workspace.sources)
                throw ExitCodes.usage
            case .success(let v): values = v
            }
            let now = clock()
            let id = newRunID(at: now, workflow: workflow, output: workspace.config.paths.output, fs: fs)
            let relative = out ?? "\(workspace.config.paths.output)/\(workflow)/\(id)"
            let folder = try runFolder(relative, fs: fs)
            var manifest = RunManifest(
                quireVersion: QuireCommand.version, runID: id, workflow: workflow, workflowPath: analysis.workflow.path,
                workflowSHA256: sha256(of: analysis.workflow.path, fs: fs), caseName: inputs.caseName,
                startedAt: RunID.timestamp(now), inputs: values, order: analysis.order)
            manifest.options = chosen
            store = RunStore(folder: folder, manifest: manifest, clock: clock)
        }

        let observer = ProgressPrinter(order: analysis.order, live: global.terminal.stderrIsTerminal, color: global.terminal.colorOnStderr, stream: stream)
        let planned = WorkflowRunner(workspace: workspace, analysis: analysis, resolver: resolver, clients: ClientPool(resolver: resolver), store: store, options: options)
        // One Ctrl-C handler from here to the end: it cancels whatever runs (the server start, then the run).
        let interrupts = InterruptHandler()
        let target = CancelTarget()
        interrupts.install { target.fire() }
        defer { interrupts.remove() }
        let servers = LocalServerManager(workspaceRoot: root, environment: environment, note: { Console.err($0) })
        // The budget: refuse before anything is sent (and before a local server starts) when the estimate is over.
        let earlier = await store.manifest
        let refusal = planned.budgetProblems(inputs: values, previous: state.outputs, spent: earlier.usage, spentCost: earlier.costUSD ?? 0)
        resolver.localEndpoints = try await prepareProviders(planned: planned, servers: servers, target: target, workspace: workspace, budget: refusal)
        let clients = ClientPool(resolver: resolver)
        let runner = WorkflowRunner(workspace: workspace, analysis: analysis, resolver: resolver, clients: clients, store: store, options: options, observer: observer)
        // The run history: opened once per run, written in the background; a history that cannot be
        // opened or written only warns.
        let global = self.global
        let history = HistoryRecorder(workspaceRoot: root) { id, message in
            global.report([.warning(id, message)], sources: [:])
        }
        await store.attachHistory(history)
        do {
            if resume != nil { try await store.markResumed() } else { try await store.save() }
            try partial?.copyOutputs()
        } catch {
            await servers.stopAll()
            global.report([.error(
                "run.write-failed", "cannot create the run folder \(store.folder.relativePath): \(error.localizedDescription)",
                suggestion: "free disk space, or make sure \(store.folder.relativePath) can be created (permissions, no file in its way), then run again")], sources: [:])
            throw ExitCodes.failure
        }
        Console.err("run \(await store.manifest.runID) → \(store.folder.relativePath)/")

        observer.start()
        let task = Task { await runner.run(inputs: values, previous: state.outputs, previousItems: state.items) }
        target.set { task.cancel() }
        let outcome = await task.value
        observer.stop()
        history.finish()
        // Nothing more is sent: the connections are left for the exit to close (see `abandonForExit`).
        await clients.abandonForExit()
        await servers.stopAll()

        global.report(outcome.diagnostics.filter(\.isError), sources: workspace.sources)
        if json { Console.out(outcome.manifest.json.trimmingCharacters(in: .newlines)) }
        let folder = store.folder.relativePath
        let usage = outcome.manifest.usage
        switch outcome.status {
        case .succeeded:
            let summary = "succeeded: \(usage.totalTokens) tokens (\(usage.promptTokens) prompt + \(usage.completionTokens) completion), \(Self.costSummary(outcome.manifest))"
            Console.err(summary)
            if !json {
                if outcome.manifest.artifacts.isEmpty {
                    Console.out("\(folder)/")
                } else {
                    for artifact in outcome.manifest.artifacts { Console.out("\(folder)/\(artifact)") }
                }
            }
        case .interrupted:
            Console.err("interrupted; continue with: \(resumeCommand(outcome.manifest.runID))")
            throw ExitCodes.interrupted
        case .failed, .running:
            Console.err("failed after \(usage.totalTokens) tokens, \(Self.costSummary(outcome.manifest)); outputs so far are in \(folder)/. After fixing the cause, continue with: \(resumeCommand(outcome.manifest.runID))")
            throw ExitCodes.failure
        }
    }

    /// The command that continues run `id`: its options are in its manifest, so only the workspace is repeated.
    func resumeCommand(_ id: String) -> String {
        let workspace = global.workspace.map { " -C \(Self.shellQuoted($0))" } ?? ""
        let out = self.out.map { " --out \(Self.shellQuoted($0))" } ?? ""
        return "quire run\(workspace) \(workflow) --resume \(id)\(out)"
    }

    /// `text` as one shell word: as it is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_./=:@%+,".unicodeScalars.contains($0)) }
        return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The run `--resume` names, read back; nil without `--resume`. Problems are reported (exit 64).
    func loadResumedRun(workspace: Workspace, analysis: WorkflowAnalysis, fs: LocalFileSystem) throws -> (folder: RunFolder, manifest: RunManifest)? {
        guard let resume else { return nil }
        guard RunID.isValid(resume) else {
            global.report([.error("run.invalid-run-id", "invalid run id '\(resume)'")], sources: [:])
            throw ExitCodes.usage
        }
        let relative = out ?? "\(workspace.config.paths.output)/\(workflow)/\(resume)"
        let folder = try runFolder(relative, fs: fs)
        guard FileManager.default.fileExists(atPath: folder.manifestURL.path) else {
            global.report([.error("run.not-found", "no run '\(resume)' of workflow '\(workflow)': \(relative)/manifest.json does not exist")], sources: [:])
            throw ExitCodes.usage
        }
        do {
            return (folder, try RunStore.loadManifest(folder: folder))
        } catch {
            global.report([.error("run.corrupt-manifest", "cannot read \(relative)/manifest.json: \(error)")], sources: [:])
            throw ExitCodes.usage
        }
    }

    /// Checks every model step's provider before anything is sent, then starts the local model servers
    /// the run needs (their files are checked with the rest). Reports problems and throws the exit code.
    /// - Returns: the base URL of each started local provider, by name.
    /// `budget` holds the refusals of the pre-run budget estimate (exit 1: the workspace is fine, the run is too dear).
    func prepareProviders(planned: WorkflowRunner, servers: LocalServerManager, target: CancelTarget, workspace: Workspace, budget: [Diagnostic] = []) async throws -> [String: String] {
        var problems = planned.preflight()
        var launches: [LocalServerLaunch] = []
        for provider in planned.localProviders() {
            switch servers.launch(for: provider) {
            case .success(let launch): launches.append(launch)
            case .failure(let problem): problems.append(problem)
            }
        }
        if problems.hasErrors {
            global.report(problems, sources: workspace.sources)
            throw ExitCodes.usage
        }
        if budget.hasErrors {
            global.report(budget, sources: workspace.sources)
            throw ExitCodes.failure
        }
        guard !launches.isEmpty else { return [:] }
        let start = Task { () async -> Result<[String: String], DiagnosticError> in
            var endpoints: [String: String] = [:]
            do throws(DiagnosticError) {
                for launch in launches {
                    endpoints[launch.provider] = try await servers.acquire(launch).baseURL
                }
            } catch {
                return .failure(error)
            }
            return .success(endpoints)
        }
        target.set { start.cancel() }
        switch await start.value {
        case .success(let endpoints):
            return endpoints
        case .failure(let error):
            await servers.stopAll()
            if error.diagnostics.contains(where: { $0.id == "local.cancelled" }) {
                Console.err("interrupted while starting the local model; nothing was run")
                throw ExitCodes.interrupted
            }
            global.report(error.diagnostics, sources: [:])
            throw ExitCodes.failure
        }
    }

    /// "$0.0123", "$0.0123, 3 cache hits", or "cost unknown (no price for 'my-model')".
    static func costSummary(_ manifest: RunManifest) -> String {
        var text: String
        if let cost = manifest.costUSD {
            text = RunBudget.dollars(cost)
        } else {
            // Why it is unknown: answered calls of models without a price, or failed calls, whose usage is not known.
            let calls = manifest.steps.values.flatMap(\.calls)
            let unknown = calls.filter { $0.costUSD == nil }
            let known = calls.compactMap(\.costUSD).reduce(0, +)
            let unpriced = Set(unknown.filter { $0.status != .failed }.map(\.model)).sorted()
            let failed = unknown.filter { $0.status == .failed }.count
            var reasons: [String] = []
            if failed > 0 { reasons.append("\(failed) failed call\(failed == 1 ? "" : "s") whose usage the provider did not report") }
            if !unpriced.isEmpty {
                reasons.append("no price for \(unpriced.map { "'\($0)'" }.joined(separator: ", ")); add it to quire.yaml's prices")
            }
            text = "cost unknown (\(known > 0 ? "\(RunBudget.dollars(known)) known; " : "")\(reasons.joined(separator: "; ")))"
        }
        let hits = manifest.cacheHits
        if hits > 0 { text += ", \(hits) cache hit\(hits == 1 ? "" : "s")" }
        return text
    }

    /// A run folder inside the workspace; `--out` may not leave it.
    /// A new run id whose default folder (`output/<workflow>/<id>`) is not there yet and that is not in
    /// `taken` (the other runs of a batch).
    func newRunID(at now: Date, workflow: String, output: String, fs: LocalFileSystem, taken: Set<String> = []) -> String {
        var id = RunID.make(date: now)
        var tries = 1
        // Bounded: a second's ids run out only after millions of runs.
        while tries < 1_000, taken.contains(id) || fs.directoryExists("\(output)/\(workflow)/\(id)") {
            id = RunID.make(date: now)
            tries += 1
        }
        return id
    }

    /// - Parameter option: the flag that named the folder, for messages (`--reuse` names an earlier run's).
    func runFolder(_ relative: String, fs: LocalFileSystem, option: String = "--out") throws -> RunFolder {
        let id = option == "--reuse" ? "run.invalid-reuse" : "run.invalid-out"
        let what = (option == "--out" ? "" : "\(option): ") + "invalid run folder '\(relative)'"
        if let problem = OutputPath.problem(relative), !problem.contains("reserved") {
            global.report([.error(id, "\(what): \(problem.replacingOccurrences(of: "run folder", with: "workspace"))")], sources: [:])
            throw ExitCodes.usage
        }
        do {
            return RunFolder(url: try fs.url(relative), relativePath: relative)
        } catch {
            global.report([.error(id, "\(what): it resolves outside the workspace")], sources: [:])
            throw ExitCodes.usage
        }
    }

    func sha256(of path: String, fs: LocalFileSystem) -> String {
        (try? fs.readFile(path)).map(ContentHash.sha256) ?? ""
    }
}

/// What Ctrl-C cancels: the task that runs now. A Ctrl-C between two tasks cancels the next one as it is set.
final class CancelTarget: @unchecked Sendable {
    private let lock = NSLock()
    private var cancel: (@Sendable () -> Void)?
    private var fired = false

    func set(_ cancel: @escaping @Sendable () -> Void) {
        lock.withLock {
            self.cancel = cancel
            if fired { cancel() }
        }
    }

    func fire() {
        lock.withLock {
            fired = true
            cancel?()
        }
    }
}
