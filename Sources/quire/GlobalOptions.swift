import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("workspace")], help: ArgumentHelp("The workspace folder (default: the nearest folder up from here with quire.yaml, workflows/ or prompts/).", valueName: "dir"))
    var workspace: String?

    @Option(help: "Colour output: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    @Option(help: ArgumentHelp("Show the source line and a caret under each diagnostic: auto (on a terminal), always or never.", valueName: "when"))
    var excerpts: ColorChoice = .auto

    var terminal: Terminal { Terminal(choice: color) }

    /// The workspace root: `--workspace`, or the nearest folder up from here with `quire.yaml`,
    /// `workflows/` or `prompts/`. When there is none — `-C` names no folder, or no folder up from here is a
    /// workspace — reports `workspace.not-found` and throws exit 64: a command run in the wrong folder
    /// (a CI job's typo) fails instead of finding nothing to check and passing.
    func root() throws -> URL {
        switch locateRoot() {
        case .success(let url): return url
        case .failure(let problem):
            report(problem.diagnostics, sources: [:])
            throw ExitCodes.usage
        }
    }

    /// For commands useful anywhere (`doctor`, `prompts new`): the workspace root, or the folder `quire`
    /// runs in when no folder up from it is a workspace. A `-C` that names no folder is still an error.
    func rootOrHere() throws -> URL {
        if workspace != nil { return try root() }
        return (try? locateRoot().get()) ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
    }

    func locateRoot() -> Result<URL, DiagnosticError> {
        let fm = FileManager.default
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath)
        if let workspace {
            let url = URL(fileURLWithPath: workspace, relativeTo: cwd).standardizedFileURL
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
                return .failure(DiagnosticError(.error(
                    "workspace.not-found", "-C \(workspace): \(fm.fileExists(atPath: url.path) ? "not a folder" : "no such folder")",
                    suggestion: "create a workspace there with `quire init \(workspace)`")))
            }
            return .success(url)
        }
        var dir = cwd.standardizedFileURL
        while true {
            if fm.fileExists(atPath: dir.appendingPathComponent("quire.yaml").path)
                || fm.fileExists(atPath: dir.appendingPathComponent("workflows").path)
                || fm.fileExists(atPath: dir.appendingPathComponent("prompts").path) {
                return .success(dir)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return .failure(DiagnosticError(.error(
            "workspace.not-found", "no Quire workspace in \(cwd.standardizedFileURL.path) or any folder above it (a workspace has quire.yaml, workflows/ or prompts/)",
            suggestion: "run quire in a workspace, pass -C DIR, or create one with `quire init`")))
    }

    func loadWorkspace() throws -> (Workspace, LocalFileSystem) {
        let fs = LocalFileSystem(root: try root())
        return (WorkspaceLoader(fileSystem: fs).load(), fs)
    }

    /// Prints diagnostics to stderr, with excerpts on a terminal.
    func report(_ diagnostics: [Diagnostic], sources: [String: String]) {
        guard !diagnostics.isEmpty else { return }
        let terminal = terminal
        let showSource: Bool
        switch excerpts {
        case .always: showSource = true
        case .never: showSource = false
        case .auto: showSource = terminal.stderrIsTerminal
        }
        let formatter = DiagnosticFormatter(showSource: showSource, color: terminal.colorOnStderr, sourceText: { sources[$0] })
        Console.err(formatter.format(diagnostics))
    }
}

extension ColorChoice: ExpressibleByArgument {}
