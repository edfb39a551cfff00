import ArgumentParser
import Foundation
import QuireCore

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflows, prompts and quire.yaml, and report every problem at once.",
        discussion: """
            Problems are printed as `path:line:col: error|warning: message [id]`. Exits 0 when there are no \
            errors (warnings allowed) and 64 when there are.

            Examples:
              quire validate
              quire validate publishing-report --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Workflows to check (default: all). Prompts and quire.yaml are always checked.")
    var workflows: [String] = []

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    func run() async throws {
        let (workspace, _) = try global.loadWorkspace()
        var diagnostics: [Diagnostic] = []
        for name in workflows where workspace.workflowPaths[name] == nil {
            diagnostics.append(.error(
                "workflow.not-found", "no workflow '\(name)' in \(workspace.config.paths.workflows)/",
                suggestion: Suggestions.didYouMean(name, in: workspace.workflowPaths.keys)))
        }
        let result = WorkspaceValidator(workspace: workspace).validate(workflows: workflows.isEmpty ? nil : workflows)
        diagnostics += result.diagnostics
        if json {
            let value: Value = [
                "valid": .bool(!diagnostics.hasErrors),
                "errors": .int(diagnostics.errors.count),
                "warnings": .int(diagnostics.warnings.count),
                "workflows": .list(result.analyses.keys.sorted().map(Value.string)),
                "diagnostics": .list(diagnostics.map(\.jsonValue)),
            ]
            Console.out(JSONText.encode(value, pretty: true))
        } else {
            global.report(diagnostics, sources: workspace.sources)
            let checked = workflows.isEmpty ? workspace.workflowPaths.count : workflows.filter { workspace.workflowPaths[$0] != nil }.count
            let prompts = workspace.prompts.values.reduce(0) { $0 + $1.paths.count }
            let summary = "\(checked) workflow\(checked == 1 ? "" : "s"), \(prompts) prompt file\(prompts == 1 ? "" : "s"): \(DiagnosticFormatter.summary(diagnostics))"
            if diagnostics.hasErrors { Console.err(summary) } else { Console.out(summary) }
        }
        if diagnostics.hasErrors { throw ExitCodes.usage }
    }
}
