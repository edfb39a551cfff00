/// Resolves a workflow's inputs from the command line, a vars file, a case and defaults — in that order of precedence.
public enum InputResolver {
    public static func resolve(
        workflow: Workflow, variables: [(name: String, text: String)] = [], fileValues: [String: Value] = [:],
        caseName: String? = nil
    ) -> Result<[String: Value], DiagnosticError> {
        var problems: [Diagnostic] = []
        var values: [String: Value] = [:]
        let names = workflow.inputs.map(\.name)
        for input in workflow.inputs {
            if let d = input.defaultValue { values[input.name] = d }
        }
        if let caseName {
            if let workflowCase = workflow.cases.first(where: { $0.name == caseName }) {
                values.merge(workflowCase.values) { _, new in new }
            } else {
                problems.append(.error(
                    "run.unknown-case", "workflow '\(workflow.name)' has no case '\(caseName)'",
                    notes: workflow.cases.isEmpty ? ["it defines no cases"] : ["cases: \(workflow.cases.map(\.name).joined(separator: ", "))"],
                    suggestion: Suggestions.didYouMean(caseName, in: workflow.cases.map(\.name))))
            }
        }
        for (name, value) in fileValues.sorted(by: { $0.key < $1.key }) {
            guard let input = workflow.input(name) else {
                problems.append(unknown(name, names: names, workflow: workflow))
                continue
            }
            var v = value
            switch (input.type, v) {
            case (.string, .int), (.string, .double), (.string, .bool): v = .string(v.renderedText)
            default: break
            }
            guard input.type.accepts(v) else {
                problems.append(.error("run.invalid-input", "input '\(name)' must be of type \(input.type.rawValue), got \(v.typeName)"))
                continue
            }
            values[name] = v
        }
        for (name, text) in variables {
            guard let input = workflow.input(name) else {
                problems.append(unknown(name, names: names, workflow: workflow))
                continue
            }
            guard let value = input.type.parse(text) else {
                problems.append(.error("run.invalid-input", "--var \(name)=… must be \(article(input.type)) \(input.type.rawValue)\(input.type == .list || input.type == .object ? " (JSON)" : ""), got '\(text.prefix(60))'"))
                continue
            }
            values[name] = value
        }
        let missing = workflow.inputs.filter { values[$0.name] == nil }.map(\.name)
        if !missing.isEmpty {
            let list = missing.map { "'\($0)'" }.joined(separator: ", ")
            let example = missing.map { "--var \($0)=…" }.joined(separator: " ")
            problems.append(.error(
                "run.missing-input", "missing required input\(missing.count == 1 ? "" : "s") \(list) of workflow '\(workflow.name)'",
                suggestion: "pass \(example)\(workflow.cases.isEmpty ? "" : " or --case NAME")"))
        }
        return problems.isEmpty ? .success(values) : .failure(DiagnosticError(problems))
    }

    static func unknown(_ name: String, names: [String], workflow: Workflow) -> Diagnostic {
        .error(
            "run.unknown-input", "workflow '\(workflow.name)' has no input '\(name)'",
            notes: names.isEmpty ? ["it declares no inputs"] : ["inputs: \(names.joined(separator: ", "))"],
            suggestion: Suggestions.didYouMean(name, in: names))
    }

    static func article(_ type: InputDeclaration.InputType) -> String {
        type == .integer || type == .object ? "an" : "a"
    }

    /// Parses `--var name=value`.
    public static func parseAssignment(_ text: String) -> (name: String, text: String)? {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        return (String(text[..<eq]), String(text[text.index(after: eq)...]))
    }

    /// Reads a `--vars-file` (YAML or JSON mapping).
    public static func parseVarsFile(_ text: String, path: String) -> Result<[String: Value], DiagnosticError> {
        switch YAMLDocument.parse(text, file: path) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .success([:])
        case .success(let node?):
            guard case .object(let object) = node.value else {
                return .failure(DiagnosticError(.error("run.invalid-vars-file", "a vars file must be a mapping of input names to values, got \(node.typeName)", at: node.location)))
            }
            return .success(object)
        }
    }
}
