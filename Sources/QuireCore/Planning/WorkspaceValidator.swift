/// Checks a loaded workspace and plans its workflows. Collects every problem instead of stopping at the first.
public struct WorkspaceValidator: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Names every template may use inside a `for_each` step besides the item: `each.index`, `each.count`, …
    public static let fanOutVariable = "each"
    static let reservedNames: Set<String> = [fanOutVariable, "loop"]

    public struct Result: Sendable {
        public var analyses: [String: WorkflowAnalysis]
        public var diagnostics: [Diagnostic]
    }

    /// Validates the named workflows (all when `names` is nil), every prompt and the configuration.
    public func validate(workflows names: [String]? = nil) -> Result {
        var diagnostics = workspace.loadDiagnostics
        var analyses: [String: WorkflowAnalysis] = [:]
        let selected = names ?? workspace.workflowPaths.keys.sorted()
        var includeProblems: [Diagnostic] = []
        for name in selected {
            guard let workflow = workspace.workflows[name] else { continue }
            let (analysis, problems) = analyze(workflow, includeProblems: &includeProblems)
            diagnostics += problems
            if let analysis { analyses[name] = analysis }
        }
        diagnostics += includeProblems
        diagnostics += promptProblems()
        return Result(analyses: analyses, diagnostics: Self.deduplicated(diagnostics).sortedForDisplay())
    }

    static func deduplicated(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<String>()
        return diagnostics.filter { seen.insert("\($0.location?.description ?? "")|\($0.id)|\($0.message)").inserted }
    }

    // MARK: - Templates and includes

    /// Every variable use of a template, following includes; include problems are reported once.
    func variableUses(of template: Template, problems: inout [Diagnostic]) -> [TemplateVariableUse] {
        var uses: [TemplateVariableUse] = []
        var stack: [(name: String, location: SourceLocation)] = []
        collectUses(template, into: &uses, stack: &stack, problems: &problems)
        return uses
    }

    private func collectUses(_ template: Template, into uses: inout [TemplateVariableUse], stack: inout [(name: String, location: SourceLocation)], problems: inout [Diagnostic]) {
        uses += template.variableUses
        for include in template.includes {
            if let index = stack.firstIndex(where: { $0.name == include.name }) {
                let chain = stack[index...].map(\.name) + [include.name]
                problems.append(.error("template.include-cycle", "include cycle: " + chain.map { "'\($0)'" }.joined(separator: " -> "), at: include.location))
                continue
            }
            guard stack.count < 32 else {
                problems.append(.error("template.too-deep", "includes nested more than 32 levels deep", at: include.location))
                continue
            }
            let partial: Template
            do {
                partial = try workspace.includes.template(named: include.name, includedFrom: include.location)
            } catch {
                problems += error.diagnostics
                continue
            }
            stack.append((include.name, include.location))
            collectUses(partial, into: &uses, stack: &stack, problems: &problems)
            stack.removeLast()
        }
    }

    // MARK: - Workflows

    func analyze(_ workflow: Workflow, includeProblems: inout [Diagnostic]) -> (WorkflowAnalysis?, [Diagnostic]) {
        var problems: [Diagnostic] = []
        let stepIds = workflow.steps.map(\.id)
        let inputNames = workflow.inputs.map(\.name)
        // Sets for the per-step lookups: with arrays, a workflow of thousands of steps took quadratic time.
        let stepIdSet = Set(stepIds)
        let workflowNames = Set(inputNames).union(stepIds)
        var usedInputs = Set<String>()

        for input in workflow.inputs {
            if Self.reservedNames.contains(input.name) {
                problems.append(.error("workflow.reserved-name", "'\(input.name)' is reserved; choose another input name", at: input.location))
            }
            if let step = workflow.step(input.name) {
                problems.append(.error("workflow.name-conflict", "input '\(input.name)' has the same name as a step; templates could not tell them apart", at: step.location(of: "id"), notes: ["input declared at \(input.location)"]))
            }
        }

        var dependencies: [String: [String]] = [:]
        var analyses: [String: StepAnalysis] = [:]
        var outputs: [String: SourceLocation] = [:]
        var unresolvedPrompt = false

        for step in workflow.steps {
            var deps: [String] = []
            func depend(_ id: String) { if !deps.contains(id) && id != step.id { deps.append(id) } }
            if Self.reservedNames.contains(step.id) {
                problems.append(.error("workflow.reserved-name", "'\(step.id)' is reserved; choose another step id", at: step.location(of: "id")))
            }

            // needs
            for (index, need) in step.needs.enumerated() {
                let location = step.locations["needs[\(index)]"] ?? step.location(of: "needs")
                if need == step.id {
                    problems.append(.error("workflow.cycle", "step '\(step.id)' needs itself", at: location))
                } else if stepIdSet.contains(need) {
                    depend(need)
                } else {
                    problems.append(.error("workflow.unknown-step", "step '\(step.id)' needs unknown step '\(need)'", at: location, suggestion: Suggestions.didYouMean(need, in: stepIds)))
                }
            }

            // for_each
            var forEachInput: InputDeclaration?
            if let source = step.forEach {
                let location = step.location(of: "for_each")
                if source == step.id {
                    problems.append(.error("workflow.cycle", "step '\(step.id)' cannot fan out over its own output", at: location))
                } else if stepIdSet.contains(source) {
                    depend(source)
                } else if let input = workflow.input(source) {
                    usedInputs.insert(source)
                    forEachInput = input
                    if input.type != .list {
                        problems.append(.error("workflow.for-each-not-list", "'for_each' needs a list, but input '\(source)' is of type \(input.type.rawValue)", at: location))
                    }
                } else {
                    problems.append(.error("workflow.unknown-step", "'for_each' refers to unknown step or input '\(source)'", at: location, suggestion: Suggestions.didYouMean(source, in: stepIds + inputNames)))
                }
                if step.itemName == source || stepIdSet.contains(step.itemName) && step.itemName != step.id || inputNames.contains(step.itemName) {
                    problems.append(.error("workflow.name-conflict", "item name '\(step.itemName)' hides a step or input of the same name; choose another 'as'", at: step.location(of: "as")))
                }
            }

            // provider
            if let provider = step.provider ?? workflow.provider, workspace.config.provider(named: provider) == nil {
                let location = step.provider != nil ? step.location(of: "provider") : SourceLocation.file(workflow.path)
                problems.append(.error("workflow.unknown-provider", "unknown provider '\(provider)'", at: location, suggestion: Suggestions.didYouMean(provider, in: workspace.config.providerNames)))
            }

            // output
            if let output = step.output {
                if let first = outputs[output] {
                    problems.append(.error("workflow.duplicate-output", "two steps write '\(output)'", at: step.location(of: "output"), notes: ["first written by the step at \(first)"]))
                } else {
                    outputs[output] = step.location(of: "output")
                }
            }

            // prompt and variables
            let reference = step.kind.reference
            let key = step.kind.callsModel ? "prompt" : "template"
            var prompt: PromptFile?
            if let family = workspace.prompts[reference.name] {
                if let version = reference.version, family.paths[version] == nil {
                    let available = family.paths.keys.sorted().map { "v\($0)" }.joined(separator: ", ")
                    problems.append(.error("workflow.unknown-prompt-version", "prompt '\(reference.name)' has no version v\(version) (available: \(available))", at: step.location(of: key)))
                } else {
                    prompt = family.resolve(reference.version)
                }
            } else {
                problems.append(.error("workflow.unknown-prompt", "unknown prompt '\(reference.name)'", at: step.location(of: key), notes: ["prompts live in \(workspace.config.paths.prompts)/<name>/v<N>.prompt"], suggestion: Suggestions.didYouMean(reference.name, in: workspace.prompts.keys)))
            }

            if prompt == nil { unresolvedPrompt = true }
            if let prompt {
                if case .template = step.kind, prompt.hasRoleMarkers {
                    problems.append(.error("workflow.template-with-roles", "template step '\(step.id)' uses '\(prompt.id)', which has role markers; a template step renders one text locally — use 'prompt:' to send messages to a model", at: step.location(of: key)))
                }
                var available = AvailableNames(shared: workflowNames, extra: Set(step.vars.keys))
                for input in prompt.inputs where input.defaultValue != nil { available.extra.insert(input.name) }
                if step.forEach != nil {
                    available.extra.insert(step.itemName)
                    available.extra.insert(Self.fanOutVariable)
                }
                // A step cannot read its own output (unless an input of the same name is meant, reported above).
                if !inputNames.contains(step.id) { available.hidden = step.id }
                let note = "used by step '\(step.id)' (\(step.location(of: key)))"
                for template in prompt.templates {
                    for use in variableUses(of: template, problems: &includeProblems) {
                        if stepIdSet.contains(use.name) && use.name != step.id { depend(use.name) }
                        if inputNames.contains(use.name) { usedInputs.insert(use.name) }
                        guard !use.isGuarded, !available.contains(use.name) else { continue }
                        // A declared prompt input that is not provided is reported once, at the step, below.
                        if prompt.inputs.contains(where: { $0.name == use.name }) && use.name != step.id { continue }
                        if use.name == step.id && !inputNames.contains(step.id) {
                            problems.append(.error("workflow.cycle", "step '\(step.id)' uses its own output '\(use.name)'", at: use.location, notes: [note]))
                            continue
                        }
                        problems.append(.error(
                            "template.undefined-variable", "undefined variable '\(use.name)'", at: use.location, notes: [note],
                            suggestion: Suggestions.didYouMean(use.name, in: available.all)))
                    }
                }
                // Declared prompt inputs without a default must be supplied.
                for input in prompt.inputs where input.defaultValue == nil && !available.contains(input.name) {
                    problems.append(.error(
                        "workflow.missing-prompt-input", "prompt '\(prompt.id)' needs input '\(input.name)', which step '\(step.id)' does not provide",
                        at: step.location(of: key), notes: ["declared at \(input.location)"],
                        suggestion: Suggestions.didYouMean(input.name, in: available.all).map { $0 + " — or add '\(input.name)' to the workflow's inputs or the step's 'vars'" }))
                }
                // Parameters the provider is declared not to support.
                if step.kind.callsModel, let providerName = step.provider ?? workflow.provider ?? workspace.config.defaultProvider,
                   let provider = workspace.config.provider(named: providerName) {
                    let parameters = step.parameters.merged(over: prompt.parameters).merged(over: workflow.defaults).merged(over: workspace.config.defaults)
                    for name in provider.capabilities.unsupported(parameters) {
                        let key = String(name.split(separator: ".")[0])
                        problems.append(.error("workflow.unsupported-parameter", "provider '\(providerName)' does not support '\(name)', which step '\(step.id)' sets; remove it or use another provider", at: step.locations[key] ?? step.location))
                    }
                }
            }

            dependencies[step.id] = deps
            let shape: PostPipeline.OutputShape = step.forEach != nil ? .list : step.post.outputShape
            analyses[step.id] = StepAnalysis(step: step, prompt: prompt, dependencies: deps, outputShape: shape, forEachInput: forEachInput)
        }

        // for_each over a step that produces a list
        for step in workflow.steps {
            guard let source = step.forEach, let producer = analyses[source] else { continue }
            switch producer.outputShape {
            case .list, .json(type: "array"): break
            case .json(type: nil):
                problems.append(.warning("workflow.for-each-not-list", "step '\(source)' produces JSON of unknown shape; 'for_each' will fail at run time unless it is a list", at: step.location(of: "for_each"), suggestion: "give the step's json post-processor a schema with type: array"))
            default:
                problems.append(.error(
                    "workflow.for-each-not-list", "'for_each' needs a list, but step '\(source)' produces text", at: step.location(of: "for_each"),
                    suggestion: "add a list post-processor to step '\(source)', e.g. `post: [bullet_list]`"))
            }
        }

        // Unused inputs: only worth saying about a workflow that is otherwise correct.
        let brokenFile = workspace.loadDiagnostics.contains { $0.isError && $0.location?.file == workflow.path }
        for input in workflow.inputs where !usedInputs.contains(input.name) && !brokenFile && !unresolvedPrompt && !problems.hasErrors {
            problems.append(.warning("workflow.unused-input", "input '\(input.name)' is declared but no step uses it", at: input.location))
        }

        // Order
        var order: [String] = []
        switch DependencyGraph.order(ids: stepIds, dependencies: dependencies) {
        case .success(let o): order = o
        case .failure(let cycle):
            let first = cycle.path.first ?? ""
            let location = workflow.step(first)?.location(of: "id") ?? .file(workflow.path)
            let chain = cycle.path.map { "'\($0)'" }
            problems.append(.error("workflow.cycle", "dependency cycle: \(chain[0]) needs " + chain.dropFirst().joined(separator: ", which needs "), at: location))
        }
        if problems.hasErrors { return (nil, problems) }
        return (WorkflowAnalysis(workflow: workflow, order: order, steps: analyses), problems)
    }

    // MARK: - Prompts

    /// Problems of prompts themselves, whether or not a workflow uses them: broken includes, and
    /// declared inputs the body never uses.
    func promptProblems() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for family in workspace.prompts.values {
            for prompt in family.versions.values {
                var used = Set<String>()
                for template in prompt.templates {
                    for use in variableUses(of: template, problems: &problems) { used.insert(use.name) }
                }
                for input in prompt.inputs where !used.contains(input.name) {
                    problems.append(.warning("prompt.unused-input", "input '\(input.name)' is declared but the prompt never uses it", at: input.location))
                }
            }
        }
        return problems
    }
}

/// The names a step's templates may read: the workflow's inputs and steps (shared by every step, not
/// copied per step), the step's own additions, minus the step itself.
struct AvailableNames {
    let shared: Set<String>
    var extra: Set<String>
    var hidden: String?

    func contains(_ name: String) -> Bool { name != hidden && (extra.contains(name) || shared.contains(name)) }

    var all: [String] { shared.union(extra).filter { $0 != hidden }.sorted() }
}
