/// A case of a golden regression run: named inputs of a workflow, from its `cases:` or from a folder
/// `golden/<workflow>/<case>/` with an `inputs.yaml`.
public struct GoldenCase: Sendable {
    public var name: String
    /// Where the case is defined: the workflow file, or the folder's inputs file.
    public var definedIn: String
    /// The resolved inputs (defaults applied), or why they cannot be resolved.
    public var inputs: Result<[String: Value], DiagnosticError>
}

/// A folder found under `golden/<workflow>/`.
public struct GoldenFolder: Sendable, Hashable {
    public var name: String
    /// The text of its `inputs.yaml`, when it has one.
    public var inputsText: String?

    public init(name: String, inputsText: String?) {
        self.name = name
        self.inputsText = inputsText
    }
}

/// Finds the cases of a workflow: first those of its `cases:`, in order, then folder cases by name.
public enum GoldenCasePlanner {
    /// The inputs file of a folder case.
    public static let inputsFileName = "inputs.yaml"

    public static func cases(of workflow: Workflow, folders: [GoldenFolder], goldenRoot: String) -> (cases: [GoldenCase], diagnostics: [Diagnostic]) {
        var cases: [GoldenCase] = []
        var problems: [Diagnostic] = []
        for workflowCase in workflow.cases {
            cases.append(GoldenCase(
                name: workflowCase.name, definedIn: workflow.path,
                inputs: InputResolver.resolve(workflow: workflow, caseName: workflowCase.name)))
        }
        let declared = Set(workflow.cases.map(\.name))
        for folder in folders.sorted(by: { $0.name < $1.name }) {
            let folderPath = "\(goldenRoot)/\(workflow.name)/\(folder.name)"
            let inputsPath = "\(folderPath)/\(inputsFileName)"
            guard CaseName.isValid(folder.name) else {
                problems.append(.warning("test.invalid-case-folder", "\(folderPath)/ is not a case: case names may contain only letters, digits, '-', '_' and '.'", at: .file(folderPath)))
                continue
            }
            switch (declared.contains(folder.name), folder.inputsText) {
            case (true, nil):
                continue
            case (true, _?):
                problems.append(.error(
                    "test.duplicate-case", "case '\(folder.name)' is defined twice: in \(workflow.path) and in \(inputsPath)",
                    at: .file(inputsPath), suggestion: "keep one of them"))
            case (false, nil):
                problems.append(.warning(
                    "test.orphan-golden-folder", "\(folderPath)/ belongs to no case: workflow '\(workflow.name)' has no case '\(folder.name)' and the folder has no \(inputsFileName)",
                    at: .file(folderPath), suggestion: Suggestions.didYouMean(folder.name, in: declared).map { $0 + " — or delete the folder" } ?? "delete the folder, or add the case"))
            case (false, let text?):
                let inputs = InputResolver.parseVarsFile(text, path: inputsPath).flatMap { values in
                    InputResolver.resolve(workflow: workflow, fileValues: values).mapError { error in
                        DiagnosticError(error.diagnostics.map { d in
                            var located = d
                            if located.location == nil { located.location = .file(inputsPath) }
                            return located
                        })
                    }
                }
                cases.append(GoldenCase(name: folder.name, definedIn: inputsPath, inputs: inputs))
            }
        }
        return (cases, problems)
    }
}
