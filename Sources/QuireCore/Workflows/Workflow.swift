/// A workflow file: `workflows/<name>.yaml`.
public struct Workflow: Sendable {
    public var name: String
    public var path: String
    public var description: String?
    public var inputs: [InputDeclaration]
    public var defaults: ModelParameters
    public var steps: [Step]
    public var cases: [WorkflowCase]
    public var concurrency: Int?
    public var provider: String?
    /// `budget:` — the most a run may spend; `--max-cost` / `--max-tokens` override each field.
    public var budget: RunBudget? = nil

    public func step(_ id: String) -> Step? { steps.first { $0.id == id } }
    public func input(_ name: String) -> InputDeclaration? { inputs.first { $0.name == name } }
}

/// Named inputs for a regression run (`cases:` in a workflow).
public struct WorkflowCase: Sendable {
    public var name: String
    public var values: [String: Value]
    public var location: SourceLocation
    public var valueLocations: [String: SourceLocation]
}
