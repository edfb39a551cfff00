import ArgumentParser
import Foundation
import QuireCore

/// Options that pick a workflow's inputs; shared by `render` and `run`.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: ArgumentHelp("Set an input: --var topic=\"Swift actors\". Lists and objects take JSON.", valueName: "name=value"))
    var vars: [String] = []

    @Option(help: ArgumentHelp("A YAML or JSON file of inputs (overridden by --var).", valueName: "file"))
    var varsFile: String?

    @Option(name: .customLong("case"), help: ArgumentHelp("Use the inputs of a named case of the workflow.", valueName: "name"))
    var caseName: String?

    /// Resolves inputs: --var > --vars-file > case > defaults.
    func resolve(for workflow: Workflow) -> Result<[String: Value], DiagnosticError> {
        resolve(for: workflow, caseName: caseName, overriding: [:])
    }

    /// Resolves inputs: --var > `overriding` (a batch entry) > --vars-file > `caseName` > defaults.
    func resolve(for workflow: Workflow, caseName: String?, overriding: [String: Value]) -> Result<[String: Value], DiagnosticError> {
        var assignments: [(name: String, text: String)] = []
        var problems: [Diagnostic] = []
        for text in vars {
            guard let assignment = InputResolver.parseAssignment(text) else {
                problems.append(.error("run.invalid-var", "--var expects name=value, got '\(text.prefix(60))'"))
                continue
            }
            assignments.append(assignment)
        }
        var fileValues: [String: Value] = [:]
        if let varsFile {
            let url = URL(fileURLWithPath: varsFile)
            guard let data = try? Data(contentsOf: url) else {
                return .failure(DiagnosticError(.error("run.invalid-vars-file", "cannot read vars file '\(varsFile)'")))
            }
            switch SourceText.decode(data, file: varsFile).flatMap({ InputResolver.parseVarsFile($0, path: varsFile) }) {
            case .failure(let error): problems += error.diagnostics
            case .success(let values): fileValues = values
            }
        }
        if !problems.isEmpty { return .failure(DiagnosticError(problems)) }
        fileValues.merge(overriding) { _, entry in entry }
        return InputResolver.resolve(workflow: workflow, variables: assignments, fileValues: fileValues, caseName: caseName)
    }
}

struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Show exactly what every step of a workflow would send, without calling a model.",
        discussion: """
            Steps are shown in execution order with their messages and resolved parameters. Outputs of \
            earlier steps are not known yet and appear as placeholders such as ⟨plan⟩ or ⟨plan[1]⟩.

            Examples:
              quire render publishing-report --var topic="Structured concurrency in Swift"
              quire render publishing-report --case swift-concurrency --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var inputs: InputOptions

    @Argument(help: "The workflow to render.")
    var workflow: String

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func run() async throws {
        let (workspace, _) = try global.loadWorkspace()
        guard workspace.workflowPaths[workflow] != nil else {
            global.report([.error("workflow.not-found", "no workflow '\(workflow)' in \(workspace.config.paths.workflows)/", suggestion: Suggestions.didYouMean(workflow, in: workspace.workflowPaths.keys))], sources: [:])
            throw ExitCodes.usage
        }
        let result = WorkspaceValidator(workspace: workspace).validate(workflows: [workflow])
        guard let analysis = result.analyses[workflow], !result.diagnostics.hasErrors else {
            global.report(result.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        }
        global.report(result.diagnostics.filter { $0.location?.file == analysis.workflow.path }, sources: workspace.sources)
        let values: [String: Value]
        switch inputs.resolve(for: analysis.workflow) {
        case .failure(let error):
            global.report(error.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        case .success(let v): values = v
        }
        let entries = RenderPreview(workspace: workspace, analysis: analysis).entries(inputs: values)
        let problems = entries.flatMap(\.problems)
        if json {
            Console.out(JSONText.encode(RenderOutput.json(workflow: analysis.workflow, inputs: values, entries: entries), pretty: true))
        } else {
            Console.out(RenderOutput.text(entries, color: global.terminal.colorOnStdout))
        }
        if !problems.isEmpty {
            global.report(problems, sources: workspace.sources)
            throw ExitCodes.usage
        }
    }
}

/// Formats `quire render` output.
enum RenderOutput {
    static func text(_ entries: [RenderPreview.Entry], color: Bool) -> String {
        func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
        func dim(_ s: String) -> String { color ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
        var blocks: [String] = []
        for entry in entries {
            var lines: [String] = []
            guard let rendered = entry.rendered else {
                lines.append(bold("━━ step \(entry.stepId)"))
                if let note = entry.fanOutNote { lines.append(dim(note)) }
                lines.append(entry.problems.isEmpty ? "(no items)" : "(cannot be rendered before it runs; see the errors below)")
                blocks.append(lines.joined(separator: "\n"))
                continue
            }
            let kind = rendered.callsModel ? "" : " (template: rendered locally, no model call)"
            lines.append(bold("━━ step \(rendered.label) · \(rendered.prompt)\(kind)"))
            lines.append(dim("prompt: \(rendered.promptPath) sha256:\(rendered.promptSHA256.prefix(12))"))
            if let note = entry.fanOutNote { lines.append(dim(note)) }
            if rendered.callsModel {
                lines.append("model: \(rendered.parameters.model ?? "(provider default)")   provider: \(rendered.provider ?? "(chosen at run time)")")
                let params = rendered.parameters.bodyFields.map { "\($0.key)=\(JSONText.encode($0.value, pretty: false))" }
                lines.append("parameters: " + (params.isEmpty ? "(none)" : params.joined(separator: " ")))
                for message in rendered.messages {
                    lines.append(bold("── \(message.role.rawValue)"))
                    lines.append(message.content)
                }
            } else {
                lines.append(bold("── text"))
                lines.append(rendered.text)
            }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }

    static func json(workflow: Workflow, inputs: [String: Value], entries: [RenderPreview.Entry]) -> Value {
        [
            "workflow": .string(workflow.name),
            "inputs": .object(inputs),
            "steps": .list(entries.map { entry in
                var object: [String: Value] = ["id": .string(entry.stepId)]
                if let note = entry.fanOutNote { object["fan_out"] = .string(note) }
                if !entry.problems.isEmpty { object["diagnostics"] = .list(entry.problems.map(\.jsonValue)) }
                if let r = entry.rendered {
                    object["item"] = r.item.map { .int($0) } ?? .null
                    object["kind"] = .string(r.callsModel ? "prompt" : "template")
                    object["prompt"] = ["name": .string(r.prompt.name), "version": .int(r.prompt.version ?? 0), "path": .string(r.promptPath), "sha256": .string(r.promptSHA256)]
                    if r.callsModel {
                        object["model"] = r.parameters.model.map(Value.string) ?? .null
                        object["provider"] = r.provider.map(Value.string) ?? .null
                        object["parameters"] = .object(Dictionary(uniqueKeysWithValues: r.parameters.bodyFields.map { ($0.key, $0.value) }))
                        object["messages"] = .list(r.messages.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] })
                        if let request = r.request { object["request_sha256"] = .string(request.hash) }
                    } else {
                        object["text"] = .string(r.text)
                    }
                }
                return .object(object)
            }),
        ]
    }
}
