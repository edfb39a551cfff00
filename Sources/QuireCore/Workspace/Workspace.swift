/// Everything loaded from a workspace folder: configuration, prompts, partials and workflows,
/// with the diagnostics found while loading them.
public struct Workspace: Sendable {
    public var config: QuireConfig
    public var prompts: [String: PromptFamily]
    /// Workflows that parsed, by name (file name without `.yaml`).
    public var workflows: [String: Workflow]
    /// Every workflow file found, parsed or not: name → path.
    public var workflowPaths: [String: String]
    /// Files under `prompts/` that are not prompt versions, available to `{% include %}` by their path
    /// relative to `prompts/`.
    public var partials: [String: Result<Template, DiagnosticError>]
    /// The text of every file read, by path, for source excerpts in diagnostics.
    public var sources: [String: String]
    /// Problems found while loading (syntax, unknown keys, types…); validation adds more.
    public var loadDiagnostics: [Diagnostic]

    public init(
        config: QuireConfig = QuireConfig(), prompts: [String: PromptFamily] = [:], workflows: [String: Workflow] = [:],
        workflowPaths: [String: String] = [:], partials: [String: Result<Template, DiagnosticError>] = [:],
        sources: [String: String] = [:], loadDiagnostics: [Diagnostic] = []
    ) {
        self.config = config
        self.prompts = prompts
        self.workflows = workflows
        self.workflowPaths = workflowPaths
        self.partials = partials
        self.sources = sources
        self.loadDiagnostics = loadDiagnostics
    }

    public func prompt(_ reference: PromptReference) -> PromptFile? {
        prompts[reference.name]?.resolve(reference.version)
    }

    /// Resolves `{% include %}` names against the partials of this workspace.
    public var includes: WorkspaceIncludes { WorkspaceIncludes(partials: partials, promptsDirectory: config.paths.prompts) }
}

/// Resolves include names (`partials/house-style.md`) to partial templates under `prompts/`.
public struct WorkspaceIncludes: TemplateIncludeResolver {
    public var partials: [String: Result<Template, DiagnosticError>]
    public var promptsDirectory: String

    public func template(named name: String, includedFrom location: SourceLocation) throws(DiagnosticError) -> Template {
        if let problem = IncludePath.problem(name) {
            throw DiagnosticError(.error("template.include-path", "invalid include '\(name)': \(problem)", at: location))
        }
        guard let entry = partials[name] else {
            throw DiagnosticError(.error(
                "template.include-not-found", "no partial '\(name)' under \(promptsDirectory)/", at: location,
                suggestion: Suggestions.didYouMean(name, in: partials.keys)))
        }
        return try entry.get()
    }
}

/// Include names are paths relative to `prompts/` and may not leave it.
public enum IncludePath {
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name.hasPrefix("/") || name.hasPrefix("~") { return "includes are relative to the prompts folder" }
        if name.contains("\\") { return "use '/' to separate folders" }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "'..' would leave the prompts folder" }
        if parts.contains(where: { $0.isEmpty || $0 == "." }) { return "it has an empty or '.' path component" }
        return nil
    }
}
