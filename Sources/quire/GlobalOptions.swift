import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("workspace")], help: ArgumentHelp("The workspace folder (default: the nearest folder up from here with quire.yaml or workflows/).", valueName: "dir"))
    var workspace: String?

    @Option(help: "Colour output: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    @Option(help: ArgumentHelp("Show the source line and a caret under each diagnostic: auto (on a terminal), always or never.", valueName: "when"))
    var excerpts: ColorChoice = .auto

    var terminal: Terminal { Terminal(choice: color) }

    /// The workspace root: `--workspace`, or the nearest ancestor with `quire.yaml` or `workflows/`.
    func root() -> URL {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let workspace {
            return URL(fileURLWithPath: workspace, relativeTo: cwd).standardizedFileURL
        }
        var dir = cwd.standardizedFileURL
        while true {
            let fm = FileManager.default
            if fm.fileExists(atPath: dir.appendingPathComponent("quire.yaml").path)
                || fm.fileExists(atPath: dir.appendingPathComponent("workflows").path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return cwd }
            dir = parent
        }
    }

    func loadWorkspace() -> (Workspace, LocalFileSystem) {
        let fs = LocalFileSystem(root: root())
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
