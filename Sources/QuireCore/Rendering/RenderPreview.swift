/// `quire render`: every step's messages and parameters in execution order, without calling a model.
///
/// Outputs of earlier steps are unknown, so they are shown as visible placeholders such as `⟨plan⟩`
/// (or a list of `⟨plan[1]⟩`, `⟨plan[2]⟩` for a step that produces a list). A fan-out over a step
/// shows its first item; a fan-out over a list input shows every item.
public struct RenderPreview: Sendable {
    public struct Entry: Sendable {
        public var rendered: RenderedStep?
        public var stepId: String
        /// e.g. "for each item of 'plan' (as 'section'); showing item 1 of ⟨n⟩".
        public var fanOutNote: String?
        public var problems: [Diagnostic]
    }

    public let workspace: Workspace
    public let analysis: WorkflowAnalysis

    public init(workspace: Workspace, analysis: WorkflowAnalysis) {
        self.workspace = workspace
        self.analysis = analysis
    }

    public static func placeholder(_ id: String) -> String { "⟨\(id)⟩" }

    /// A stand-in for the output of a step that has not run.
    public static func placeholderValue(for step: StepAnalysis) -> Value {
        let id = step.step.id
        switch step.outputShape {
        case .text: return .string(placeholder(id))
        case .list, .json(type: "array"): return .list([.string(placeholder("\(id)[1]")), .string(placeholder("\(id)[2]"))])
        case .json: return .string(placeholder(id))
        }
    }

    public func entries(inputs: [String: Value]) -> [Entry] {
        let renderer = StepRenderer(workspace: workspace, analysis: analysis)
        var outputs: [String: Value] = [:]
        var entries: [Entry] = []
        for step in analysis.orderedSteps {
            let provider = renderer.providerName(for: step).flatMap { workspace.config.provider(named: $0) }
            if let source = step.step.forEach {
                let items: [Value]
                let note: String
                if step.forEachInput != nil {
                    items = inputs[source]?.listValue ?? []
                    note = "for each of the \(items.count) item\(items.count == 1 ? "" : "s") of input '\(source)' (as '\(step.step.itemName)')"
                } else {
                    items = [.string(Self.placeholder("\(source)[1]"))]
                    note = "for each item of '\(source)' (as '\(step.step.itemName)'); showing the first"
                }
                if items.isEmpty {
                    entries.append(Entry(rendered: nil, stepId: step.step.id, fanOutNote: note, problems: []))
                }
                for (i, value) in items.enumerated() {
                    let item = StepRenderer.FanOutItem(value: value, index: i + 1, count: step.forEachInput != nil ? items.count : 2)
                    let context = renderer.context(for: step, inputs: inputs, outputs: outputs, item: item)
                    entries.append(entry(renderer, step, context: context, item: i + 1, provider: provider, note: note))
                }
            } else {
                let context = renderer.context(for: step, inputs: inputs, outputs: outputs, item: nil)
                entries.append(entry(renderer, step, context: context, item: nil, provider: provider, note: nil))
            }
            outputs[step.step.id] = Self.placeholderValue(for: step)
        }
        return entries
    }

    private func entry(_ renderer: StepRenderer, _ step: StepAnalysis, context: [String: Value], item: Int?, provider: ProviderConfig?, note: String?) -> Entry {
        do {
            let rendered = try renderer.render(step, context: context, item: item, provider: provider)
            return Entry(rendered: rendered, stepId: step.step.id, fanOutNote: note, problems: [])
        } catch {
            return Entry(rendered: nil, stepId: step.step.id, fanOutNote: note, problems: error.diagnostics)
        }
    }
}
