/// What validation learned about one step: the prompt it uses, the steps it depends on, the shape of its output.
public struct StepAnalysis: Sendable {
    public var step: Step
    public var prompt: PromptFile?
    /// Step ids this step must wait for, in declaration order.
    public var dependencies: [String]
    /// The shape of the step's output as later steps see it.
    public var outputShape: PostPipeline.OutputShape
    /// Whether the fan-out source is a workflow input rather than a step.
    public var forEachInput: InputDeclaration?
}

/// The validated, planned form of a workflow: what every step needs and the order to run them in.
public struct WorkflowAnalysis: Sendable {
    public var workflow: Workflow
    /// Steps in a stable topological order (declaration order among steps that are ready together).
    public var order: [String]
    public var steps: [String: StepAnalysis]

    public func step(_ id: String) -> StepAnalysis? { steps[id] }
    public var orderedSteps: [StepAnalysis] { order.compactMap { steps[$0] } }
}
