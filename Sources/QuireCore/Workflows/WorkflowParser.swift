/// Builds a ``Workflow`` from YAML, collecting every problem with its location.
public enum WorkflowParser {
    static let topKeys = ["name", "description", "inputs", "defaults", "steps", "cases", "concurrency", "provider", "budget"]
    static let stepKeys = [
        "id", "description", "prompt", "template", "for_each", "as", "needs", "provider", "post", "output", "on_length",
        "vars", "compare",
    ] + ModelParameters.keys

    public static func parse(text: String, name: String, path: String) -> (Workflow?, [Diagnostic]) {
        let root: YAMLNode
        switch YAMLDocument.parse(text, file: path) {
        case .failure(let error): return (nil, error.diagnostics)
        case .success(nil):
            return (nil, [.error("workflow.empty", "workflow file is empty", at: .file(path))])
        case .success(let node?): root = node
        }
        var reader = YAMLReader(domain: "workflow")
        guard let fields = reader.mapping(root, "workflow", allowed: topKeys) else { return (nil, reader.diagnostics) }
        var workflow = Workflow(name: name, path: path, description: nil, inputs: [], defaults: ModelParameters(), steps: [], cases: [], concurrency: nil, provider: nil)
        var casesNode: YAMLNode?
        var sawSteps = false
        for (key, pair) in fields {
            let value = pair.value
            switch key {
            case "name":
                if let declared = reader.string(value, "'name'"), declared != name {
                    reader.warning("name-mismatch", "workflow is named '\(declared)' but its file is '\(name).yaml'; it is run as '\(name)'", at: value.location)
                }
            case "description": workflow.description = reader.string(value, "'description'")
            case "inputs": workflow.inputs = InputDeclaration.readAll(value, reader: &reader, what: "'inputs'")
            case "defaults":
                if let entries = reader.mapping(value, "'defaults'", allowed: ModelParameters.keys) {
                    for (k, p) in entries { _ = ParameterReader.read(k, p.value, into: &workflow.defaults, reader: &reader) }
                }
            case "steps":
                sawSteps = true
                workflow.steps = parseSteps(value, reader: &reader)
            case "cases": casesNode = value
            case "concurrency":
                if let n = reader.int(value, "'concurrency'") {
                    if n >= 1 { workflow.concurrency = n } else { reader.error("parameter-range", "'concurrency' must be at least 1, got \(n)", at: value.location) }
                }
            case "provider": workflow.provider = reader.string(value, "'provider'")
            case "budget": workflow.budget = parseBudget(value, reader: &reader)
            default: break
            }
        }
        if !sawSteps {
            reader.error("missing-key", "workflow has no 'steps'", at: root.location)
        } else if workflow.steps.isEmpty && !reader.diagnostics.hasErrors {
            reader.error("missing-key", "workflow has no steps", at: root.location)
        }
        if let casesNode { workflow.cases = parseCases(casesNode, inputs: workflow.inputs, reader: &reader) }
        return (workflow, reader.diagnostics)
    }

    /// `budget: {max_cost: 0.50, max_tokens: 20000}`.
    static func parseBudget(_ node: YAMLNode, reader: inout YAMLReader) -> RunBudget? {
        guard let fields = reader.mapping(node, "'budget'", allowed: ["max_cost", "max_tokens"]) else { return nil }
        var budget = RunBudget(location: node.location)
        for (key, pair) in fields {
            let value = pair.value
            if key == "max_cost" {
                guard let amount = reader.double(value, "'max_cost'") else { continue }
                if amount > 0 && amount.isFinite { budget.maxCost = amount } else {
                    reader.error("parameter-range", "'max_cost' must be a positive amount of US dollars, got \(amount)", at: value.location)
                }
            } else {
                guard let tokens = reader.int(value, "'max_tokens'") else { continue }
                if tokens >= 1 { budget.maxTokens = tokens } else {
                    reader.error("parameter-range", "'max_tokens' in 'budget' must be at least 1, got \(tokens)", at: value.location)
                }
            }
        }
        return budget.isEmpty ? nil : budget
    }

    static func parseSteps(_ node: YAMLNode, reader: inout YAMLReader) -> [Step] {
        guard let items = node.sequence else {
            reader.typeMismatch("'steps'", expected: "a list of steps", got: node)
            return []
        }
        var steps: [Step] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            guard let step = parseStep(item, reader: &reader) else { continue }
            if let first = seen[step.id] {
                reader.error("duplicate-step", "duplicate step id '\(step.id)'", at: step.location(of: "id"), notes: ["first defined at \(first)"])
                continue
            }
            seen[step.id] = step.location(of: "id")
            steps.append(step)
        }
        return steps
    }

    static func parseStep(_ node: YAMLNode, reader: inout YAMLReader) -> Step? {
        guard let fields = reader.mapping(node, "a step", allowed: stepKeys) else { return nil }
        var locations: [String: SourceLocation] = [:]
        for (key, pair) in fields { locations[key] = pair.value.location }
        guard let idPair = fields.first(where: { $0.name == "id" })?.pair else {
            reader.error("missing-key", "step has no 'id'", at: node.location)
            return nil
        }
        guard let id = reader.string(idPair.value, "'id'") else { return nil }
        guard Identifier.isValid(id) else {
            reader.error("invalid-name", "step id '\(id)' must start with a letter or '_' and contain only letters, digits and '_' (templates refer to it as a variable)", at: idPair.value.location)
            return nil
        }
        var kind: Step.Kind?
        var step = Step(
            id: id, kind: .template(PromptReference(name: "")), description: nil, forEach: nil, itemName: "item", needs: [],
            provider: nil, parameters: ModelParameters(), post: PostPipeline(), output: nil, onLength: .warn, vars: [:],
            locations: locations, location: node.location)
        var sawAs = false
        for (key, pair) in fields {
            let value = pair.value
            switch key {
            case "id": break
            case "description": step.description = reader.string(value, "'description'")
            case "prompt", "template":
                guard let text = reader.string(value, "'\(key)'") else { continue }
                switch PromptReference.parse(text) {
                case .failure(let problem): reader.error("invalid-prompt-reference", problem.message, at: value.location)
                case .success(let reference):
                    if kind != nil {
                        reader.error("step-kind", "step '\(id)' has both 'prompt' and 'template'; a step either calls a model ('prompt') or renders locally ('template')", at: value.location)
                    } else {
                        kind = key == "prompt" ? .prompt(reference) : .template(reference)
                    }
                }
            case "for_each": step.forEach = reader.string(value, "'for_each'")
            case "as":
                sawAs = true
                if let name = reader.string(value, "'as'") {
                    if Identifier.isValid(name) { step.itemName = name } else {
                        reader.error("invalid-name", "'as' must be a variable name, got '\(name)'", at: value.location)
                    }
                }
            case "needs":
                if let needs = reader.stringList(value, "'needs'") {
                    step.needs = needs
                    if let list = value.sequence {
                        for (i, n) in list.enumerated() { step.locations["needs[\(i)]"] = n.location }
                    }
                }
            case "provider": step.provider = reader.string(value, "'provider'")
            case "post":
                let (pipeline, diagnostics) = PostPipeline.parse(value)
                step.post = pipeline
                for d in diagnostics { reader.report(d) }
            case "output":
                if let name = reader.string(value, "'output'") {
                    if let problem = OutputPath.problem(name) {
                        reader.error("output-path", "invalid output file name '\(name)': \(problem)", at: value.location)
                    } else {
                        step.output = name
                    }
                }
            case "on_length":
                if let text = reader.string(value, "'on_length'") {
                    if let policy = Step.LengthPolicy(rawValue: text) { step.onLength = policy } else {
                        reader.error("invalid-value", "'on_length' must be 'warn' or 'error', got '\(text)'", at: value.location)
                    }
                }
            case "vars":
                if let entries = reader.namedMapping(value, "'vars'") {
                    for (name, p) in entries {
                        if Identifier.isValid(name) { step.vars[name] = p.value.value } else {
                            reader.error("invalid-name", "variable name '\(name)' must start with a letter or '_' and contain only letters, digits and '_'", at: p.key.location)
                        }
                    }
                }
            case "compare":
                let (mode, diagnostics) = CompareMode.parse(value)
                if let mode { step.compare = mode }
                for d in diagnostics { reader.report(d) }
            default:
                _ = ParameterReader.read(key, value, into: &step.parameters, reader: &reader)
            }
        }
        if sawAs && step.forEach == nil {
            reader.error("as-without-for-each", "'as' names the item of a 'for_each'; step '\(id)' has no 'for_each'", at: step.location(of: "as"))
        }
        guard let kind else {
            if !fields.contains(where: { $0.name == "prompt" || $0.name == "template" }) {
                reader.error("step-kind", "step '\(id)' needs 'prompt' (a model call) or 'template' (rendered locally)", at: node.location)
            }
            return nil
        }
        step.kind = kind
        if case .template = kind {
            for key in ModelParameters.keys where fields.contains(where: { $0.name == key }) {
                reader.warning("unused-parameter", "'\(key)' has no effect on a template step: it makes no model call", at: step.location(of: key))
            }
        }
        return step
    }

    static func parseCases(_ node: YAMLNode, inputs: [InputDeclaration], reader: inout YAMLReader) -> [WorkflowCase] {
        guard let entries = reader.namedMapping(node, "'cases'") else { return [] }
        var cases: [WorkflowCase] = []
        for (name, pair) in entries {
            guard CaseName.isValid(name) else {
                reader.error("invalid-name", "case name '\(name)' may contain only letters, digits, '-', '_' and '.'", at: pair.key.location)
                continue
            }
            var values: [String: Value] = [:]
            var locations: [String: SourceLocation] = [:]
            if !pair.value.isNull, let fields = reader.namedMapping(pair.value, "case '\(name)'") {
                for (inputName, field) in fields {
                    guard let input = inputs.first(where: { $0.name == inputName }) else {
                        reader.error("unknown-input", "case '\(name)' sets '\(inputName)', which is not an input of this workflow", at: field.key.location, suggestion: Suggestions.didYouMean(inputName, in: inputs.map(\.name)))
                        continue
                    }
                    var value = field.value.value
                    if input.type == .string, !input.type.accepts(value), let text = field.value.scalarText, !field.value.isNull {
                        value = .string(text)
                    }
                    guard input.type.accepts(value) else {
                        reader.error("type-mismatch", "input '\(inputName)' must be of type \(input.type.rawValue), got \(value.typeName)", at: field.value.location)
                        continue
                    }
                    values[inputName] = value
                    locations[inputName] = field.value.location
                }
            }
            cases.append(WorkflowCase(name: name, values: values, location: pair.key.location, valueLocations: locations))
        }
        return cases
    }
}

/// Case names become folder names under `golden/`.
public enum CaseName {
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }
}

/// Output file names must stay inside the run folder.
public enum OutputPath {
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.hasPrefix("/") || name.hasPrefix("~") { return "it must be relative to the run folder" }
        if name.contains("\\") { return "use '/' to separate folders" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "it contains control characters" }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains(where: { $0 == ".." }) { return "'..' would leave the run folder" }
        if parts.contains(where: { $0.isEmpty || $0 == "." }) { return "it has an empty or '.' path component" }
        if name == "manifest.json" || parts.first == "steps" { return "'\(name)' is reserved for the run's own files" }
        return nil
    }
}
