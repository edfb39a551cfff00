import ArgumentParser
import Foundation
import QuireCore

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List workflows (inputs, steps, cases) and prompts (versions, hashes, which workflows use them).",
        discussion: """
            Examples:
              quire list
              quire list --json | jq '.prompts[] | {name, latest}'
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func run() async throws {
        let (workspace, _) = try global.loadWorkspace()
        let usage = PromptUsage(workspace: workspace)
        if json {
            Console.out(JSONText.encode(jsonValue(workspace, usage: usage), pretty: true))
        } else {
            Console.out(text(workspace, usage: usage))
        }
        if workspace.loadDiagnostics.hasErrors {
            Console.err("note: some files have errors and are not listed fully; run `quire validate`")
        }
    }

    func text(_ workspace: Workspace, usage: PromptUsage) -> String {
        var lines: [String] = ["Workflows"]
        if workspace.workflowPaths.isEmpty { lines.append("  (none in \(workspace.config.paths.workflows)/)") }
        for name in workspace.workflowPaths.keys.sorted() {
            guard let workflow = workspace.workflows[name] else {
                lines.append("  \(name)  (has errors: see `quire validate \(name)`)")
                continue
            }
            lines.append("  \(name)" + (workflow.description.map { "  \($0)" } ?? ""))
            let inputs = workflow.inputs.map { input in
                "\(input.name) (\(input.type.rawValue)\(input.defaultValue.map { ", default \(JSONText.encode($0, pretty: false))" } ?? ", required"))"
            }
            lines.append("    inputs: " + (inputs.isEmpty ? "none" : inputs.joined(separator: ", ")))
            lines.append("    steps:")
            for step in workflow.steps {
                var line = "      \(step.id)"
                if let source = step.forEach { line += " (for each \(source))" }
                line += step.kind.callsModel ? " → \(step.kind.reference)" : " → \(step.kind.reference) (template, no model call)"
                if let output = step.output { line += " → \(output)" }
                lines.append(line)
            }
            if !workflow.cases.isEmpty { lines.append("    cases: " + workflow.cases.map(\.name).joined(separator: ", ")) }
        }
        lines.append("")
        lines.append("Prompts")
        if workspace.prompts.isEmpty { lines.append("  (none in \(workspace.config.paths.prompts)/)") }
        for name in workspace.prompts.keys.sorted() {
            let family = workspace.prompts[name]!
            let latest = family.latestVersion
            lines.append("  \(name)  latest v\(latest ?? 0)" + (family.resolve(nil)?.description.map { "  \($0)" } ?? ""))
            for version in family.paths.keys.sorted() {
                var line = "    v\(version)"
                if let prompt = family.versions[version] {
                    line += "  sha256:\(prompt.sha256.prefix(12))"
                } else {
                    line += "  (has errors)"
                }
                let users = usage.users(of: name, version: version, latest: latest)
                if !users.isEmpty { line += "  used by " + users.joined(separator: ", ") }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    func jsonValue(_ workspace: Workspace, usage: PromptUsage) -> Value {
        let workflows: [Value] = workspace.workflowPaths.keys.sorted().map { name in
            guard let workflow = workspace.workflows[name] else {
                return ["name": .string(name), "path": .string(workspace.workflowPaths[name]!), "valid": false]
            }
            return [
                "name": .string(name),
                "path": .string(workflow.path),
                "description": workflow.description.map(Value.string) ?? .null,
                "inputs": .list(workflow.inputs.map { input in
                    ["name": .string(input.name), "type": .string(input.type.rawValue), "required": .bool(input.isRequired),
                     "default": input.defaultValue ?? .null, "description": input.description.map(Value.string) ?? .null]
                }),
                "steps": .list(workflow.steps.map { step in
                    ["id": .string(step.id), "kind": .string(step.kind.callsModel ? "prompt" : "template"),
                     "prompt": .string(step.kind.reference.description), "for_each": step.forEach.map(Value.string) ?? .null,
                     "output": step.output.map(Value.string) ?? .null]
                }),
                "cases": .list(workflow.cases.map { .string($0.name) }),
            ]
        }
        let prompts: [Value] = workspace.prompts.keys.sorted().map { name in
            let family = workspace.prompts[name]!
            let latest = family.latestVersion
            return [
                "name": .string(name),
                "latest": latest.map { .int($0) } ?? .null,
                "versions": .list(family.paths.keys.sorted().map { version in
                    let prompt = family.versions[version]
                    return [
                        "version": .int(version),
                        "path": .string(family.paths[version]!),
                        "sha256": prompt.map { .string($0.sha256) } ?? .null,
                        "description": prompt?.description.map(Value.string) ?? .null,
                        "valid": .bool(prompt != nil),
                        "used_by": .list(usage.users(of: name, version: version, latest: latest).map(Value.string)),
                    ]
                }),
            ]
        }
        return ["workflows": .list(workflows), "prompts": .list(prompts)]
    }
}

/// Which workflow steps use which prompt versions, pinned (`@v2`) or following the latest.
struct PromptUsage {
    var references: [(workflow: String, step: String, reference: PromptReference)] = []

    init(workspace: Workspace) {
        for name in workspace.workflows.keys.sorted() {
            for step in workspace.workflows[name]!.steps {
                references.append((name, step.id, step.kind.reference))
            }
        }
    }

    /// `publishing-report.plan (pinned)` or `publishing-report.plan (latest)`.
    func users(of prompt: String, version: Int, latest: Int?) -> [String] {
        references.compactMap { entry in
            guard entry.reference.name == prompt else { return nil }
            if let pinned = entry.reference.version {
                return pinned == version ? "\(entry.workflow).\(entry.step) (pinned)" : nil
            }
            return version == latest ? "\(entry.workflow).\(entry.step) (latest)" : nil
        }
    }
}
