import Foundation
import QuireCore
import QuireProviders

/// Runs golden regression tests: each case of a workflow runs (model calls replayed from recordings or
/// sent live), each step's post-processed output is compared with its golden file, goldens are written
/// as the record mode says, and the actual outputs are kept for `quire accept`.
public struct GoldenTester: Sendable {
    public struct Options: Sendable {
        /// Where model answers come from.
        public enum Source: String, Sendable {
            /// Replay when the case has recordings (or nothing may be recorded), else live.
            case auto
            /// Only from recordings: no model, no network.
            case replay
            /// From the provider, recording the exchanges.
            case live
        }

        public var record: RecordMode
        public var source: Source
        /// Only these steps are compared (and the steps they depend on run); empty: every step.
        public var steps: [String]
        /// Run each case this many times and report pass rates (live only); nothing is recorded.
        public var samples: Int
        /// Compare rendered requests with the recorded ones instead of running anything.
        public var renderOnly: Bool
        /// Model calls in flight at once within a case.
        public var concurrency: Int
        /// Cases run at once.
        public var parallelCases: Int

        public init(
            record: RecordMode = .missing, source: Source = .auto, steps: [String] = [], samples: Int = 1, renderOnly: Bool = false,
            concurrency: Int = 8, parallelCases: Int = 4
        ) {
            self.record = record
            self.source = source
            self.steps = steps
            self.samples = max(1, samples)
            self.renderOnly = renderOnly
            self.concurrency = max(1, concurrency)
            self.parallelCases = max(1, parallelCases)
        }
    }

    public let workspace: Workspace
    public let store: GoldenStore
    /// The process environment overlaid on the workspace's `.env`, for live providers.
    public let environment: [String: String]
    /// How live clients are made.
    public enum LiveClients: Sendable {
        /// From each provider's configuration (base URL, key); nil makes the real ``OpenAIClient``.
        case configured(ClientPool.Factory?)
        /// Without a configuration, from the provider's row alone (tests and the example's recordings).
        case unconfigured(@Sendable (ProviderConfig) -> any ModelClient)
    }

    /// Makes live clients; every one is wrapped in a ``RecordingClient``.
    public let liveClients: LiveClients
    public let options: Options

    public init(workspace: Workspace, store: GoldenStore, environment: [String: String], liveClients: LiveClients = .configured(nil), options: Options) {
        self.workspace = workspace
        self.store = store
        self.environment = environment
        self.liveClients = liveClients
        self.options = options
    }

    /// Tests the given cases of a validated workflow, several at once; results keep the cases' order.
    public func test(_ analysis: WorkflowAnalysis, cases: [GoldenCase]) async -> [GoldenCaseResult] {
        var results = [GoldenCaseResult?](repeating: nil, count: cases.count)
        await withTaskGroup(of: (Int, GoldenCaseResult).self) { group in
            var next = 0
            func launch() {
                guard next < cases.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.test(analysis, case: cases[index])) }
            }
            for _ in 0..<options.parallelCases { launch() }
            for await (index, result) in group {
                results[index] = result
                launch()
            }
        }
        return results.compactMap { $0 }
    }

    /// The steps reported for a workflow: the selected ones, in plan order.
    func selectedSteps(_ analysis: WorkflowAnalysis) -> [String] {
        options.steps.isEmpty ? analysis.order : analysis.order.filter(options.steps.contains)
    }

    func test(_ analysis: WorkflowAnalysis, case golden: GoldenCase) async -> GoldenCaseResult {
        let workflow = analysis.workflow.name
        let goldenFolder = store.goldenFolder(workflow: workflow, caseName: golden.name)
        let outputFolder = store.outputFolder(workflow: workflow, caseName: golden.name)
        let selected = selectedSteps(analysis)
        let plan = options.steps.isEmpty ? analysis : analysis.restricted(to: selected)
        let contents = store.read(goldenFolder)
        let source: GoldenCaseResult.Source
        switch options.source {
        case _ where options.renderOnly: source = .renderOnly
        case .replay: source = .replay
        case .live: source = .live
        case .auto: source = options.samples == 1 && (contents.recordings != nil || options.record == .never) ? .replay : .live
        }
        func failAll(_ errors: [String]) -> GoldenCaseResult {
            GoldenCaseResult(
                workflow: workflow, caseName: golden.name, source: source,
                steps: selected.map { GoldenStepResult(step: $0, status: .failed, notes: [Self.caseNotRun]) }, outputFolder: nil, errors: errors)
        }
        let inputs: [String: Value]
        switch golden.inputs {
        case .failure(let error): return failAll(error.diagnostics.map { "invalid inputs of case '\(golden.name)': \($0.description)" })
        case .success(let values): inputs = values
        }
        if !contents.problems.isEmpty { return failAll(contents.problems.map { "cannot read \($0)" }) }

        // Replay is deterministic whatever the environment: a step whose provider nothing names uses the
        // provider its goldens were recorded with, not the one an OPENAI_API_KEY in the shell would pick.
        var workspace = self.workspace
        if source != .live, workspace.config.defaultProvider == nil,
           let recorded = contents.metadata?.steps.values.compactMap(\.stamp.provider).sorted().first {
            workspace.config.defaultProvider = recorded
        }
        let resolver = ProviderResolver(config: workspace.config, environment: environment)

        if source == .renderOnly {
            let steps = renderOnly(plan, selected: selected, workspace: workspace, resolver: resolver, inputs: inputs, contents: contents, goldenFolder: goldenFolder)
            return GoldenCaseResult(workflow: workflow, caseName: golden.name, source: source, steps: steps, outputFolder: nil)
        }

        do { try store.removeFolder(outputFolder) } catch {
            return failAll(["cannot clear \(outputFolder): \(error.localizedDescription)"])
        }
        let evaluator = GoldenEvaluator(
            goldenFolder: goldenFolder, outputFolder: outputFolder, record: options.samples > 1 ? .never : options.record)
        var samples: [[GoldenStepResult]] = []
        var last: CaseRun?
        for _ in 0..<options.samples {
            let run = await self.run(
                plan, caseName: golden.name, inputs: inputs, workspace: workspace, resolver: resolver, live: source == .live,
                recordings: contents.recordings ?? GoldenRecordings(), outputFolder: outputFolder)
            samples.append(selected.map { id in
                var stale = contents.metadata.map { $0.inputChanges(current: inputs) } ?? []
                if let recorded = contents.metadata?.steps[id]?.stamp, let current = run.stamps[id] {
                    stale += current.changes(since: recorded)
                } else if contents.metadata == nil && !contents.files(of: id).isEmpty {
                    stale.append("\(goldenFolder)/\(GoldenMetadata.fileName) is missing: what produced the golden is unknown")
                }
                return evaluator.evaluate(step: id, outcome: run.outcomes[id] ?? .failed(errors: ["not run"]), golden: contents.files(of: id), mode: plan.steps[id]!.step.compare, stale: stale)
            })
            last = run
        }
        var results = selected.indices.map { index in
            options.samples > 1 ? GoldenStepResult.combine(samples.map { $0[index] }) : samples[0][index]
        }
        guard let last else { return failAll(["not run"]) }

        var problems: [String] = []
        do { try keep(last, results: results, plan: plan, caseName: golden.name, inputs: inputs, outputFolder: outputFolder) } catch {
            problems.append("cannot keep the actual outputs in \(outputFolder): \(error.localizedDescription)")
        }
        if results.contains(where: \.recorded) {
            do {
                try record(last, results: results, plan: plan, caseName: golden.name, inputs: inputs, contents: contents, goldenFolder: goldenFolder)
            } catch {
                problems.append("cannot write goldens in \(goldenFolder): \(error.localizedDescription)")
            }
        }
        if !problems.isEmpty {
            for index in results.indices {
                results[index].status = .failed
                results[index].notes += problems
            }
        }
        return GoldenCaseResult(workflow: workflow, caseName: golden.name, source: source, steps: results, outputFolder: outputFolder, errors: last.errors)
    }

    /// The note of a step whose case could not run; the case's errors say why.
    static let caseNotRun = "not run: the case could not start"

    /// Writes the actual outputs, their metadata (with each step's result) and the exchanges to the case's
    /// test-output folder, for review, for CI to upload, and for `quire accept`.
    func keep(_ run: CaseRun, results: [GoldenStepResult], plan: WorkflowAnalysis, caseName: String, inputs: [String: Value], outputFolder: String) throws {
        var metadata = GoldenMetadata(workflow: plan.workflow.name, caseName: caseName, inputs: inputs)
        var scratch: [String: String] = [:]
        for (id, files) in run.files {
            scratch.merge(files) { _, new in new }
            if let stamp = run.stamps[id] { metadata.steps[id] = GoldenMetadata.StepEntry(stamp: stamp, files: files.keys.sorted(by: GoldenEvaluator.pathOrder)) }
        }
        for result in results { metadata.results[result.step] = result.recorded ? "recorded" : result.status.rawValue }
        scratch[GoldenMetadata.fileName] = metadata.json
        scratch[GoldenRecordings.fileName] = GoldenRecordings(exchanges: GoldenRecordings.sorted(run.exchanges, order: plan.order)).json
        try store.writeScratch(scratch, in: outputFolder)
    }

    /// Writes the goldens of the steps the record mode chose, with their metadata and recordings.
    func record(
        _ run: CaseRun, results: [GoldenStepResult], plan: WorkflowAnalysis, caseName: String, inputs: [String: Value],
        contents: GoldenStore.CaseContents, goldenFolder: String
    ) throws {
        var metadata = contents.metadata ?? GoldenMetadata(workflow: plan.workflow.name, caseName: caseName, inputs: inputs)
        metadata.inputs = inputs
        metadata.results = [:]
        var written = Set<String>()
        for result in results where result.recorded {
            guard let files = run.files[result.step], let stamp = run.stamps[result.step] else { continue }
            try store.replaceStepFiles(step: result.step, files: files, in: goldenFolder, existing: contents.files(of: result.step))
            metadata.steps[result.step] = GoldenMetadata.StepEntry(stamp: stamp, files: files.keys.sorted(by: GoldenEvaluator.pathOrder))
            written.insert(result.step)
        }
        try store.write(metadata, in: goldenFolder)
        let recordings = (contents.recordings ?? GoldenRecordings())
            .replacing(steps: written, with: run.exchanges.filter { written.contains($0.step) }, order: plan.order)
        if !recordings.exchanges.isEmpty || contents.recordings != nil { try store.write(recordings, in: goldenFolder) }
    }
}
