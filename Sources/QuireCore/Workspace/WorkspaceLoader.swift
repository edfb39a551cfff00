import Foundation

/// Reads a workspace through a ``WorkspaceFileSystem`` and parses every file in it.
public struct WorkspaceLoader: Sendable {
    public let fileSystem: any WorkspaceFileSystem

    public init(fileSystem: any WorkspaceFileSystem) { self.fileSystem = fileSystem }

    /// Limits that keep a hostile or accidental tree (a symlink loop, a huge folder) from hanging the loader.
    static let maxFiles = 20_000
    static let maxDepth = 16

    public func load() -> Workspace {
        var workspace = Workspace()
        var diagnostics: [Diagnostic] = []

        // quire.yaml (optional)
        for configName in ["quire.yaml", "quire.yml"] where fileSystem.fileExists(configName) {
            if let text = readText(configName, into: &workspace, diagnostics: &diagnostics) {
                let (config, problems) = QuireConfig.parse(text: text, path: configName)
                workspace.config = config
                diagnostics += problems
            }
            break
        }
        let paths = workspace.config.paths

        // prompts/
        var files: [String] = []
        var count = 0
        collectFiles(paths.prompts, depth: 0, into: &files, count: &count, diagnostics: &diagnostics)
        for path in files.sorted() {
            let relative = String(path.dropFirst(paths.prompts.count + 1))
            let fileName = (relative as NSString).lastPathComponent
            let folder = (relative as NSString).deletingLastPathComponent
            if let version = PromptName.version(ofFileName: fileName), !folder.isEmpty {
                guard PromptName.isValid(folder) else {
                    diagnostics.append(.error("prompt.invalid-name", "invalid prompt folder name '\(folder)': use lowercase letters, digits, '-', '_' and '.'", at: .file(path)))
                    continue
                }
                var family = workspace.prompts[folder] ?? PromptFamily(name: folder, versions: [:], paths: [:])
                family.paths[version] = path
                guard let data = try? fileSystem.readFile(path) else {
                    diagnostics.append(.error("file.unreadable", "cannot read file", at: .file(path)))
                    workspace.prompts[folder] = family
                    continue
                }
                switch SourceText.decode(data, file: path) {
                case .failure(let error):
                    diagnostics += error.diagnostics
                case .success(let text):
                    workspace.sources[path] = text
                    let (prompt, problems) = PromptFile.parse(text: text, sha256: ContentHash.sha256(data), name: folder, version: version, path: path)
                    diagnostics += problems
                    if let prompt { family.versions[version] = prompt }
                }
                workspace.prompts[folder] = family
            } else if fileName.hasSuffix(".prompt") {
                diagnostics.append(.warning(
                    "prompt.file-name", "'\(fileName)' is not a prompt version: name versions v1.prompt, v2.prompt, … inside a folder named after the prompt",
                    at: .file(path)))
            } else if !fileName.hasPrefix(".") {
                // A partial, available to {% include %}.
                guard let data = try? fileSystem.readFile(path) else { continue }
                switch SourceText.decode(data, file: path) {
                case .failure(let error):
                    workspace.partials[relative] = .failure(error)
                case .success(let text):
                    workspace.sources[path] = text
                    let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
                    workspace.partials[relative] = Result { () throws(DiagnosticError) in try Template.parse(body, file: path) }
                }
            }
        }

        // workflows/
        if let entries = try? fileSystem.listDirectory(paths.workflows) {
            for entry in entries.sorted(by: { $0.name < $1.name }) where !entry.isDirectory {
                let name: String
                if entry.name.hasSuffix(".yaml") { name = String(entry.name.dropLast(5)) }
                else if entry.name.hasSuffix(".yml") { name = String(entry.name.dropLast(4)) }
                else { continue }
                let path = "\(paths.workflows)/\(entry.name)"
                if let existing = workspace.workflowPaths[name] {
                    diagnostics.append(.error("workflow.duplicate", "two files define workflow '\(name)': \(existing) and \(path)", at: .file(path)))
                    continue
                }
                workspace.workflowPaths[name] = path
                guard let text = readText(path, into: &workspace, diagnostics: &diagnostics) else { continue }
                let (workflow, problems) = WorkflowParser.parse(text: text, name: name, path: path)
                diagnostics += problems
                if let workflow { workspace.workflows[name] = workflow }
            }
        }
        workspace.loadDiagnostics = diagnostics
        return workspace
    }

    private func readText(_ path: String, into workspace: inout Workspace, diagnostics: inout [Diagnostic]) -> String? {
        let data: Data
        do { data = try fileSystem.readFile(path) } catch {
            diagnostics.append(.error("file.unreadable", "cannot read file: \(error)", at: .file(path)))
            return nil
        }
        switch SourceText.decode(data, file: path) {
        case .failure(let error):
            diagnostics += error.diagnostics
            return nil
        case .success(let text):
            workspace.sources[path] = text
            return text
        }
    }

    private func collectFiles(_ dir: String, depth: Int, into files: inout [String], count: inout Int, diagnostics: inout [Diagnostic]) {
        guard depth <= Self.maxDepth else {
            diagnostics.append(.error("workspace.too-deep", "folders nested deeper than \(Self.maxDepth) levels", at: .file(dir)))
            return
        }
        guard let entries = try? fileSystem.listDirectory(dir) else { return }
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            count += 1
            guard count <= Self.maxFiles else {
                if count == Self.maxFiles + 1 {
                    diagnostics.append(.error("workspace.too-many-files", "more than \(Self.maxFiles) files under \(dir)", at: .file(dir)))
                }
                return
            }
            let path = "\(dir)/\(entry.name)"
            if entry.isDirectory {
                if !entry.name.hasPrefix(".") { collectFiles(path, depth: depth + 1, into: &files, count: &count, diagnostics: &diagnostics) }
            } else {
                files.append(path)
            }
        }
    }
}
