/// Builds a step's template context and renders its messages. Shared by `quire render` and the runner.
public struct StepRenderer: Sendable {
    public let workspace: Workspace
    public let analysis: WorkflowAnalysis

    public init(workspace: Workspace, analysis: WorkflowAnalysis) {
        self.workspace = workspace
        self.analysis = analysis
    }

    /// One item of a fan-out.
    public struct FanOutItem: Sendable {
        public var value: Value
        /// 1-based.
        public var index: Int
        public var count: Int

        public init(value: Value, index: Int, count: Int) {
            self.value = value
            self.index = index
            self.count = count
        }
    }

    /// The variables a step sees, lowest precedence first: the prompt's input defaults, workflow inputs,
    /// outputs of earlier steps (by id), the step's `vars`, and the fan-out item.
    public func context(for step: StepAnalysis, inputs: [String: Value], outputs: [String: Value], item: FanOutItem?) -> [String: Value] {
        var context: [String: Value] = [:]
        for input in step.prompt?.inputs ?? [] {
            if let d = input.defaultValue { context[input.name] = d }
        }
        context.merge(inputs) { _, new in new }
        for dependency in step.dependencies {
            if let output = outputs[dependency] { context[dependency] = output }
        }
        context.merge(step.step.vars) { _, new in new }
        if let item {
            context[step.step.itemName] = item.value
            context[WorkspaceValidator.fanOutVariable] = [
                "index": .int(item.index), "index0": .int(item.index - 1), "count": .int(item.count),
                "first": .bool(item.index == 1), "last": .bool(item.index == item.count),
            ]
        }
        return context
    }

    /// Parameters by precedence: step > prompt front matter > workflow defaults > workspace defaults > provider defaults.
    public func parameters(for step: StepAnalysis, provider: ProviderConfig?) -> ModelParameters {
        var parameters = step.step.parameters
        if let prompt = step.prompt { parameters = parameters.merged(over: prompt.parameters) }
        parameters = parameters.merged(over: analysis.workflow.defaults).merged(over: workspace.config.defaults)
        if let provider { parameters = parameters.merged(over: provider.defaults) }
        return parameters
    }

    /// The provider a step uses: step > workflow > `quire.yaml`'s `provider:`; nil when decided at run time.
    public func providerName(for step: StepAnalysis) -> String? {
        step.step.provider ?? analysis.workflow.provider ?? workspace.config.defaultProvider
    }

    public func render(_ step: StepAnalysis, context: [String: Value], item: Int?, provider: ProviderConfig?) throws(DiagnosticError) -> RenderedStep {
        guard let prompt = step.prompt else {
            throw DiagnosticError(.error("workflow.unknown-prompt", "step '\(step.step.id)' has no prompt", at: step.step.location))
        }
        var messages: [ChatMessage] = []
        var problems: [Diagnostic] = []
        for message in prompt.messages {
            do {
                messages.append(ChatMessage(message.role, try message.template.render(context, includes: workspace.includes)))
            } catch {
                problems += error.diagnostics
            }
        }
        if !problems.isEmpty { throw DiagnosticError(problems) }
        return RenderedStep(
            stepId: step.step.id, item: item, callsModel: step.step.kind.callsModel, prompt: prompt.reference,
            promptPath: prompt.path, promptSHA256: prompt.sha256, messages: messages,
            parameters: parameters(for: step, provider: provider), provider: provider?.name ?? providerName(for: step))
    }
}
