import Foundation
import QuireCore
import QuireProviders

/// One run of a case, in the terms the golden comparison needs.
struct CaseRun: Sendable {
    /// Per step: its output files (relative to the case folder), a failure, or skipped.
    var outcomes: [String: GoldenEvaluator.Outcome] = [:]
    /// The output files of steps that produced one.
    var files: [String: [String: String]] = [:]
    /// What produced each step's output now.
    var stamps: [String: GoldenStamp] = [:]
    /// The model exchanges of the run, labelled with their step and item.
    var exchanges: [RecordedExchange] = []
    /// Why the run could not start.
    var errors: [String] = []
}

extension GoldenTester {
    /// The most replay-miss diffs shown for one step; the rest are counted.
    static let maxMissDiffs = 3

    /// Runs the workflow once for a case through ``WorkflowRunner``, answering model calls from
    /// `recordings` (replay) or the provider (live, recorded).
    func run(
        _ plan: WorkflowAnalysis, caseName: String, inputs: [String: Value], workspace: Workspace, resolver: ProviderResolver,
        live: Bool, recordings: GoldenRecordings, outputFolder: String
    ) async -> CaseRun {
        var result = CaseRun()
        let log = ExchangeLog()
        let index = recordings.index
        let clients: ClientPool
        var checkingConnections = live
        switch (live, liveClients) {
        case (true, .configured(let factory)):
            let make = factory ?? { configuration, limiter in OpenAIClient(configuration: configuration, rateLimiter: limiter) }
            clients = ClientPool(resolver: resolver) { configuration, limiter in
                RecordingClient(base: make(configuration, limiter), log: log)
            }
        case (true, .unconfigured(let make)):
            checkingConnections = false
            clients = ClientPool(resolver: resolver, unconfigured: { provider in RecordingClient(base: make(provider), log: log) })
        case (false, _):
            clients = ClientPool(resolver: resolver, unconfigured: { provider in
                ReplayClient(provider: provider.name, exchanges: index, misses: log)
            })
        }
        // The run stays in memory: the test keeps its outputs, metadata and exchanges itself (``keep``),
        // and writing a run folder (a manifest rewritten after every step) would cost more than the test.
        let folder: RunFolder
        do { folder = RunFolder(url: try store.fileSystem.url(outputFolder), relativePath: outputFolder) } catch {
            return failed(plan, "invalid test output folder \(outputFolder): \(error)")
        }
        let manifest = RunManifest(
            quireVersion: "", runID: "test", workflow: plan.workflow.name, workflowPath: plan.workflow.path,
            workflowSHA256: workspace.sources[plan.workflow.path].map(ContentHash.sha256) ?? "", caseName: caseName,
            startedAt: RunID.timestamp(Date()), inputs: inputs, order: plan.order)
        let runStore = RunStore(folder: folder, manifest: manifest, clock: { Date() }, persists: false)
        let runner = WorkflowRunner(
            workspace: workspace, analysis: plan, resolver: resolver, clients: clients, store: runStore,
            // No response cache and no budget: replay spends nothing, and goldens must not depend on either.
            options: RunOptions(concurrency: options.concurrency, workflowBudget: false))
        result.stamps = Self.stamps(plan, workspace: workspace, runner: runner, resolver: resolver)

        let problems = runner.preflight(checkingConnections: checkingConnections).filter(\.isError)
        if !problems.isEmpty {
            var failed = failed(plan, problems.map(\.description))
            failed.stamps = result.stamps
            return failed
        }
        let outcome = await runner.run(inputs: inputs)
        await clients.shutdown()

        for id in plan.order {
            guard let step = plan.steps[id] else { continue }
            let record = outcome.manifest.steps[id]
            if let value = outcome.outputs[id] {
                var files: [String: String] = [:]
                if step.step.forEach != nil, let items = value.listValue {
                    for (offset, item) in items.enumerated() { files[Self.fileName(step: id, item: offset + 1, value: item)] = RunFolder.contents(of: item) }
                    result.outcomes[id] = .produced(files, items: items.count)
                } else {
                    files[Self.fileName(step: id, item: nil, value: value)] = RunFolder.contents(of: value)
                    result.outcomes[id] = .produced(files, items: nil)
                }
                result.files[id] = files
            } else if record?.status == .skipped || record == nil {
                let failedSteps = Set(outcome.manifest.steps.values.filter { $0.status == .failed }.map(\.id))
                result.outcomes[id] = .skipped(blockedBy: Self.blockers(of: id, in: plan, failed: failedSteps))
            } else {
                result.outcomes[id] = failure(of: id, record: record!, recordings: recordings, log: log)
            }
            // The exchanges behind the step's successful calls: live answers, else the replayed recordings.
            for call in record?.calls ?? [] where call.status == .succeeded {
                if let entry = log.entry(forHash: call.requestSHA256), let completion = entry.completion {
                    result.exchanges.append(RecordedExchange(
                        step: id, item: call.item, request: entry.request.canonicalValue,
                        response: RecordedResponse(
                            content: completion.content, finishReason: completion.finishReason?.rawValue, model: completion.model,
                            usage: completion.usage.map { Usage(promptTokens: $0.prompt, completionTokens: $0.completion, totalTokens: $0.total) })))
                } else if !live, let exchange = index[call.requestSHA256] {
                    result.exchanges.append(RecordedExchange(step: id, item: call.item, request: exchange.request, response: exchange.response))
                }
            }
        }
        return result
    }

    /// Why a step produced no output: its errors, and for each replay miss the diff between the closest
    /// recorded request of the same step and item and the request rendered now.
    func failure(of id: String, record: StepRecord, recordings: GoldenRecordings, log: ExchangeLog) -> GoldenEvaluator.Outcome {
        var errors: [String] = []
        var diffs: [String] = []
        var differing: [String] = []
        var unrecorded: [String] = []
        for call in record.calls where call.status == .failed {
            let label = call.item.map { "\(id)[\($0)]" } ?? id
            guard let missed = log.entry(forHash: call.requestSHA256), missed.completion == nil else {
                errors.append("\(label): \(call.error ?? "failed")")
                continue
            }
            let request = missed.request.canonicalValue
            guard let closest = recordings.closest(to: request, step: id, item: call.item) else {
                unrecorded.append(label)
                continue
            }
            differing.append(label)
            if diffs.count < Self.maxMissDiffs {
                diffs.append(UnifiedDiff.make(
                    old: RequestTranscript.text(closest.request), new: RequestTranscript.text(request),
                    oldName: "recorded request (\(closest.label))", newName: "rendered request (\(label))"))
            }
        }
        if !differing.isEmpty {
            let shown = differing.count > Self.maxMissDiffs ? " (diffs of the first \(Self.maxMissDiffs) below)" : ""
            errors.append("replay miss: the rendered request of \(differing.joined(separator: ", ")) differs from the recorded one\(shown): this prompt change affects this step")
        }
        let hint = "to get new outputs for review, run with --live (calls the model and records its answers)"
        if !unrecorded.isEmpty {
            if errors.isEmpty && differing.isEmpty { return .unrecorded(hint: "record it with --live (calls the model and records its answers)") }
            errors.append("replay miss: \(unrecorded.joined(separator: ", ")) \(unrecorded.count == 1 ? "has" : "have") no recording: step '\(id)' was never recorded for this case")
        }
        if !differing.isEmpty || !unrecorded.isEmpty { errors.append(hint) }
        if errors.isEmpty { errors.append(record.error ?? "failed") }
        return .failed(errors: errors, diffs: diffs)
    }

    /// The failed steps that kept `id` from running, directly or through skipped steps.
    static func blockers(of id: String, in plan: WorkflowAnalysis, failed: Set<String>) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        var pending = plan.steps[id]?.dependencies ?? []
        while !pending.isEmpty {
            let next = pending.removeFirst()
            guard seen.insert(next).inserted else { continue }
            if failed.contains(next) { result.append(next) } else { pending += plan.steps[next]?.dependencies ?? [] }
        }
        return result.isEmpty ? (plan.steps[id]?.dependencies ?? []) : result
    }

    /// The run could not start: every step fails, the case carries the reason.
    func failed(_ plan: WorkflowAnalysis, _ errors: String...) -> CaseRun {
        failed(plan, errors)
    }

    func failed(_ plan: WorkflowAnalysis, _ errors: [String]) -> CaseRun {
        var run = CaseRun()
        run.errors = errors
        for id in plan.order { run.outcomes[id] = .failed(errors: [Self.caseNotRun]) }
        return run
    }

    /// `plan.json`, `sections/001.txt`: a run folder's output path without its `steps/` prefix.
    static func fileName(step: String, item: Int?, value: Value) -> String {
        String(RunFolder.outputPath(step: step, item: item, value: value).dropFirst("steps/".count))
    }

    /// What would produce each step's output now: prompt and partial hashes, provider, model, parameters.
    static func stamps(_ plan: WorkflowAnalysis, workspace: Workspace, runner: WorkflowRunner, resolver: ProviderResolver) -> [String: GoldenStamp] {
        let renderer = StepRenderer(workspace: workspace, analysis: plan)
        var stamps: [String: GoldenStamp] = [:]
        for step in plan.orderedSteps {
            guard step.step.kind.callsModel else {
                stamps[step.step.id] = GoldenStamp.current(step, workspace: workspace, parameters: nil, provider: nil)
                continue
            }
            let name = runner.providerName(for: step)
            let parameters = renderer.parameters(for: step, provider: resolver.provider(named: name))
            stamps[step.step.id] = GoldenStamp.current(step, workspace: workspace, parameters: parameters, provider: name)
        }
        return stamps
    }
}
