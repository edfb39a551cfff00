import Foundation
import QuireCore

extension GoldenTester {
    /// `quire test --render-only`: renders every step with the goldens standing in for the outputs of
    /// the steps it depends on, and compares each model step's request with the recorded one and each
    /// template step's output with its golden. No model, no run folder, nothing written.
    func renderOnly(
        _ plan: WorkflowAnalysis, selected: [String], workspace: Workspace, resolver: ProviderResolver, inputs: [String: Value],
        contents: GoldenStore.CaseContents, goldenFolder: String
    ) -> [GoldenStepResult] {
        let renderer = StepRenderer(workspace: workspace, analysis: plan)
        let recordings = contents.recordings ?? GoldenRecordings()
        let index = recordings.index
        let recordingsPath = "\(goldenFolder)/\(GoldenRecordings.fileName)"
        let evaluator = GoldenEvaluator(goldenFolder: goldenFolder, outputFolder: "(rendered)", record: .never)
        var results: [String: GoldenStepResult] = [:]

        for step in plan.orderedSteps {
            let id = step.step.id
            let golden = contents.files(of: id)
            var stale = contents.metadata.map { $0.inputChanges(current: inputs) } ?? []
            let providerName = step.step.kind.callsModel ? (renderer.providerName(for: step) ?? resolver.defaultProviderName) : nil
            let provider = providerName.flatMap(resolver.provider(named:))
            if let recorded = contents.metadata?.steps[id]?.stamp {
                let parameters = step.step.kind.callsModel ? renderer.parameters(for: step, provider: provider) : nil
                stale += GoldenStamp.current(step, workspace: workspace, parameters: parameters, provider: providerName).changes(since: recorded)
            }
            func result(_ status: GoldenStepResult.Status, diffs: [String] = [], notes: [String], items: Int? = nil) -> GoldenStepResult {
                let status: GoldenStepResult.Status = status == .passed && !stale.isEmpty ? .stale : status
                let files = step.step.kind.callsModel ? [recordingsPath] : golden.keys.sorted(by: GoldenEvaluator.pathOrder).map { "\(goldenFolder)/\($0)" }
                return GoldenStepResult(
                    step: id, status: status, items: items, diffs: diffs,
                    notes: (status == .passed ? [] : stale) + notes, files: files)
            }

            // The outputs this step reads, from the goldens.
            var outputs: [String: Value] = [:]
            let missingInputs = step.dependencies.filter { dependency in
                guard let value = Self.goldenValue(of: dependency, in: contents, plan: plan) else { return true }
                outputs[dependency] = value
                return false
            }
            if !missingInputs.isEmpty {
                let list = missingInputs.map { "'\($0)'" }.joined(separator: ", ")
                results[id] = result(.missing, notes: ["cannot render: no golden output of \(list) to stand in for \(missingInputs.count == 1 ? "it" : "them")"])
                continue
            }
            var items: [StepRenderer.FanOutItem?] = [nil]
            if let source = step.step.forEach {
                let list = (outputs[source] ?? inputs[source])?.listValue ?? []
                items = list.enumerated().map { StepRenderer.FanOutItem(value: $1, index: $0 + 1, count: list.count) }
            }
            var rendered: [RenderedStep] = []
            var errors: [String] = []
            for item in items {
                let context = renderer.context(for: step, inputs: inputs, outputs: outputs, item: item)
                do { rendered.append(try renderer.render(step, context: context, item: item?.index, provider: provider)) } catch {
                    errors += error.diagnostics.map(\.description)
                }
            }
            if !errors.isEmpty {
                results[id] = result(.failed, notes: errors)
                continue
            }
            let itemCount = step.step.forEach != nil ? rendered.count : nil

            guard step.step.kind.callsModel else {
                // A template step renders its output: compare it like a run would.
                var files: [String: String] = [:]
                do {
                    for entry in rendered {
                        let value = try step.step.post.apply(to: entry.text)
                        files[Self.fileName(step: id, item: entry.item, value: value)] = RunFolder.contents(of: value)
                    }
                } catch {
                    results[id] = result(.failed, notes: ["post-processing failed: \(error)"])
                    continue
                }
                results[id] = evaluator.evaluate(step: id, outcome: .produced(files, items: itemCount), golden: golden, mode: step.step.compare, stale: stale)
                continue
            }

            // A model step: its requests must be the recorded ones.
            if recordings.exchanges.contains(where: { $0.step == id }) {
                var diffs: [String] = []
                var notes: [String] = []
                var differing: [String] = []
                for entry in rendered {
                    guard let request = entry.request?.canonicalValue else {
                        notes.append("\(entry.label): no model is set, so the request is unknown")
                        continue
                    }
                    if index[ContentHash.sha256(JSONText.encode(request, pretty: false))] != nil { continue }
                    differing.append(entry.label)
                    if let closest = recordings.closest(to: request, step: id, item: entry.item), diffs.count < Self.maxMissDiffs {
                        diffs.append(UnifiedDiff.make(
                            old: RequestTranscript.text(closest.request), new: RequestTranscript.text(request),
                            oldName: "recorded request (\(closest.label))", newName: "rendered request (\(entry.label))"))
                    }
                }
                if !differing.isEmpty {
                    let shown = differing.count > Self.maxMissDiffs ? " (diffs of the first \(Self.maxMissDiffs) below)" : ""
                    notes.append("the rendered request of \(differing.joined(separator: ", ")) differs from the recorded one\(shown): this prompt change affects this step")
                }
                results[id] = notes.isEmpty ? result(.passed, notes: [], items: itemCount) : result(.changed, diffs: diffs, notes: notes, items: itemCount)
                continue
            }
            results[id] = result(.missing, notes: ["no recorded requests for step '\(id)' in \(recordingsPath)"], items: itemCount)
        }
        return selected.compactMap { results[$0] }
    }

    /// A step's output as its golden files hold it: text or JSON, a list of items for a fan-out.
    static func goldenValue(of id: String, in contents: GoldenStore.CaseContents, plan: WorkflowAnalysis) -> Value? {
        func decode(_ path: String, _ text: String) -> Value? {
            path.hasSuffix(".json") ? try? JSONText.decode(text) : .string(text)
        }
        let files = contents.files(of: id)
        if plan.steps[id]?.step.forEach != nil {
            let items = files.filter { $0.key.contains("/") }.sorted { $0.key < $1.key }
            guard !items.isEmpty else { return nil }
            var values: [Value] = []
            for (path, text) in items {
                guard let value = decode(path, text) else { return nil }
                values.append(value)
            }
            return .list(values)
        }
        guard let (path, text) = files.first(where: { !$0.key.contains("/") }) else { return nil }
        return decode(path, text)
    }
}
