import Foundation
import QuireCore
import QuireProviders

/// Runs a validated workflow: schedules steps by their dependencies, renders and sends model calls
/// (independent steps and fan-out items concurrently, under a limit), post-processes answers,
/// and records every output and call in the run folder as soon as it is known.
///
/// Results are keyed by step id and item number, never by completion order.
public struct WorkflowRunner: Sendable {
    public let workspace: Workspace
    public let analysis: WorkflowAnalysis
    public let resolver: ProviderResolver
    public let clients: ClientPool
    public let store: RunStore
    public let options: RunOptions
    public let observer: any RunObserver
    public let clock: any Clock<Duration>

    public init(
        workspace: Workspace, analysis: WorkflowAnalysis, resolver: ProviderResolver, clients: ClientPool, store: RunStore,
        options: RunOptions, observer: any RunObserver = SilentObserver(), clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.workspace = workspace
        self.analysis = analysis
        self.resolver = resolver
        self.clients = clients
        self.store = store
        self.options = options
        self.observer = observer
        self.clock = clock
    }

    var renderer: StepRenderer { StepRenderer(workspace: workspace, analysis: analysis) }

    // MARK: - Before the run

    /// The provider of a model step: `--provider` > step > workflow > `quire.yaml` > `openai` with a key > `local`.
    public func providerName(for step: StepAnalysis) -> String {
        options.provider ?? renderer.providerName(for: step) ?? resolver.defaultProviderName
    }

    /// Problems that would make model steps fail: unknown providers, missing keys, no model,
    /// parameters a provider does not support. Reported before anything is sent.
    /// - Parameter checkingConnections: also check that each provider can be reached (a base URL, a key);
    ///   false when the clients need neither, as when replaying recordings.
    public func preflight(checkingConnections: Bool = true) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var checkedProviders = Set<String>()
        for step in analysis.orderedSteps where step.step.kind.callsModel {
            let name = providerName(for: step)
            guard let provider = resolver.provider(named: name) else {
                problems.append(.error("run.unknown-provider", "unknown provider '\(name)' for step '\(step.step.id)'", suggestion: Suggestions.didYouMean(name, in: workspace.config.providerNames)))
                continue
            }
            // A local model's server is started (and its files checked) by the command, after this.
            if checkingConnections, checkedProviders.insert(name).inserted, !resolver.needsLocalServer(provider),
               case .failure(let problem) = resolver.configuration(for: provider) {
                problems.append(problem)
            }
            var parameters = renderer.parameters(for: step, provider: provider)
            if let model = options.model { parameters.model = model }
            if parameters.model == nil {
                problems.append(.error(
                    "run.no-model", "step '\(step.step.id)' has no model: set `model:` on the step, in the workflow's defaults, in quire.yaml, or pass --model",
                    at: step.step.location(of: "id")))
            }
            for unsupported in provider.capabilities.unsupported(parameters) {
                problems.append(.error(
                    "run.unsupported-parameter", "provider '\(name)' does not support '\(unsupported)', which step '\(step.step.id)' sets; remove it or choose another provider",
                    at: step.step.location))
            }
        }
        return problems
    }

    /// The `kind: local` providers whose server must be running before ``run(inputs:previous:previousItems:)``,
    /// by name, in step order.
    public func localProviders() -> [ProviderConfig] {
        var seen = Set<String>()
        var providers: [ProviderConfig] = []
        for step in analysis.orderedSteps where step.step.kind.callsModel {
            let name = providerName(for: step)
            guard seen.insert(name).inserted, let provider = resolver.provider(named: name), resolver.needsLocalServer(provider) else { continue }
            providers.append(provider)
        }
        return providers
    }

    // MARK: - The run

    /// Runs every step not already finished. `previous` holds outputs of finished steps and
    /// `previousItems` finished fan-out items (both from an earlier attempt, for `--resume`).
    public func run(inputs: [String: Value], previous: [String: Value] = [:], previousItems: [String: [Int: Value]] = [:]) async -> RunOutcome {
        let limiter = RateLimiter(.init(maxConcurrent: options.concurrency))
        let budget = makeBudgetGuard(manifest: await store.manifest)
        var outputs = previous
        var diagnostics: [Diagnostic] = []
        var scheduler = StepScheduler(order: analysis.order, dependencies: analysis.steps.mapValues(\.dependencies))
        var failed = false
        let reusedFrom = await store.manifest.steps.compactMapValues(\.reusedFrom)
        // A step whose call finished just before a kill is reused: its record says so from now on.
        do { try await store.markReused(previous.keys) } catch {
            diagnostics.append(writeFailure(error, path: "manifest.json"))
        }

        await withTaskGroup(of: StepResult.self) { group in
            // Steps that make model calls, among those running: only they can keep the manifest waiting.
            var runningModelSteps = 0
            /// Starts every step that can start; returns whether one of them makes model calls (and so
            /// writes the manifest as it starts).
            func launchReady() -> Bool {
                var startsModelStep = false
                var ready = scheduler.takeReady()
                while !ready.isEmpty {
                    var launched = false
                    for id in ready {
                        if let value = previous[id] {
                            outputs[id] = value
                            scheduler.markFinished(id)
                            observer.handle(.stepReused(id: id, from: reusedFrom[id]))
                            continue
                        }
                        guard let step = analysis.steps[id] else { continue }
                        let snapshot = outputs
                        let reusedItems = previousItems[id] ?? [:]
                        launched = true
                        if step.step.kind.callsModel {
                            startsModelStep = true
                            runningModelSteps += 1
                        }
                        group.addTask {
                            await self.execute(step, inputs: inputs, outputs: snapshot, reusedItems: reusedItems, limiter: limiter, budget: budget)
                        }
                    }
                    ready = launched ? [] : scheduler.takeReady()
                }
                return startsModelStep
            }
            _ = launchReady()
            for await result in group {
                if analysis.steps[result.id]?.step.kind.callsModel == true { runningModelSteps -= 1 }
                diagnostics += result.diagnostics
                if let value = result.value {
                    outputs[result.id] = value
                    scheduler.markFinished(result.id)
                } else {
                    failed = true
                    scheduler.markFailed(result.id)
                }
                let startedModelStep = !Task.isCancelled && launchReady()
                // A finished step's record is staged (see `execute`). A model step starting now writes the
                // manifest at once, and so does `finish` when nothing is left to run. If model steps are still
                // running and none is starting, it is written here, so the manifest never lags behind a call
                // that may take minutes. Template steps make no calls and end within moments: while only they
                // run, the record waits for their end (every call is in the journal meanwhile).
                if !startedModelStep && runningModelSteps > 0 {
                    do { try await store.saveStaged() } catch {
                        diagnostics.append(writeFailure(error, path: "manifest.json"))
                        failed = true
                    }
                }
            }
        }

        let cancelled = Task.isCancelled
        for id in scheduler.blocked where !cancelled {
            // A reused output needs nothing to run: it stays as it was (a partial run's `--only` step failed).
            if previous[id] != nil {
                observer.handle(.stepReused(id: id, from: reusedFrom[id]))
                continue
            }
            let blockers = (analysis.steps[id]?.dependencies ?? []).filter { scheduler.failed.contains($0) || !scheduler.finished.contains($0) }
            observer.handle(.stepSkipped(id: id, blockedBy: blockers))
            if let step = analysis.steps[id] {
                try? await store.update(StepRecord(id: id, kind: kind(of: step), status: .skipped, prompt: stamp(step), error: "not run: depends on failed step\(blockers.count == 1 ? "" : "s") \(blockers.map { "'\($0)'" }.joined(separator: ", "))"))
            }
        }
        let status: RunManifest.Status = cancelled ? .interrupted : (failed ? .failed : .succeeded)
        if status == .succeeded { await writeArtifacts(outputs, diagnostics: &diagnostics) }
        do {
            try await store.finish(status)
        } catch {
            diagnostics.append(writeFailure(error, path: "manifest.json"))
        }
        return RunOutcome(status: status, diagnostics: diagnostics, outputs: outputs, manifest: await store.manifest)
    }

    struct StepResult: Sendable {
        var id: String
        var value: Value?
        var diagnostics: [Diagnostic]
    }

    func kind(of step: StepAnalysis) -> String {
        step.step.kind.callsModel ? (step.step.forEach != nil ? "prompt-fan-out" : "prompt") : (step.step.forEach != nil ? "template-fan-out" : "template")
    }

    func stamp(_ step: StepAnalysis) -> PromptStamp {
        step.prompt.map(PromptStamp.init) ?? PromptStamp(name: step.step.kind.reference.name, version: step.step.kind.reference.version ?? 0, path: "", sha256: "")
    }

    /// "step 'plan' (publishing-plan@v2)".
    func context(_ step: StepAnalysis, item: Int?) -> String {
        let label = item.map { "\(step.step.id)[\($0)]" } ?? step.step.id
        return "step '\(label)' (\(step.prompt?.id ?? step.step.kind.reference.description))"
    }

    // MARK: - Artifacts

    func writeArtifacts(_ outputs: [String: Value], diagnostics: inout [Diagnostic]) async {
        for step in analysis.orderedSteps {
            guard let name = step.step.output, let value = outputs[step.step.id] else { continue }
            var text: String
            if let list = value.listValue, list.allSatisfy({ $0.stringValue != nil }) {
                text = list.compactMap(\.stringValue).joined(separator: "\n\n") + "\n"
            } else {
                text = RunFolder.contents(of: value)
            }
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
            do {
                try await store.writeOutput(text, to: name)
                await store.addArtifact(name)
            } catch {
                diagnostics.append(writeFailure(error, path: name))
            }
        }
    }
}
