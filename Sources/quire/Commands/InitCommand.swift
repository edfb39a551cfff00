import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a workspace with a working example: quire.yaml, prompts/, workflows/ and a .gitignore.",
        discussion: """
            Existing files are never overwritten unless --force is given.

            Examples:
              quire init my-workspace
              cd my-workspace && quire validate
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The folder to create or fill (default: the current folder).")
    var directory: String = "."

    @Flag(help: "Overwrite files that already exist.")
    var force = false

    func run() async throws {
        let root = URL(fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let existing = ExampleWorkspace.paths.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        if !existing.isEmpty && !force {
            global.report([.error(
                "init.file-exists", "\(existing.count) file\(existing.count == 1 ? "" : "s") of the example already exist\(existing.count == 1 ? "s" : "") in \(root.path): \(existing.prefix(5).joined(separator: ", "))\(existing.count > 5 ? ", …" : "")",
                suggestion: "choose another folder, or pass --force to overwrite them")], sources: [:])
            throw ExitCodes.usage
        }
        do {
            for path in ExampleWorkspace.paths {
                // Recorded model exchanges are readable by their owner only, as `quire test` writes them.
                let permissions = path.hasSuffix("/\(GoldenRecordings.fileName)") ? GoldenStore.recordingPermissions : nil
                try AtomicFileWriter.write(ExampleWorkspace.files[path]!, to: root.appendingPathComponent(path), permissions: permissions)
            }
        } catch {
            global.report([.error("init.write-failed", "cannot write the example workspace: \(error.localizedDescription)")], sources: [:])
            throw ExitCodes.failure
        }
        let shown = directory == "." ? "" : " -C \(directory)"
        Console.out("""
            Created a Quire workspace in \(root.path)
              quire.yaml            providers, defaults, prices
              prompts/              versioned prompt templates (name/vN.prompt)
              workflows/            publishing-report.yaml, review-digest.yaml
              golden/               expected outputs and recorded model answers of the workflows' cases

            Next:
              quire\(shown) validate
              quire\(shown) render publishing-report --var topic="Structured concurrency in Swift"
              quire\(shown) test                  # replays the recorded answers: no model needed
            """)
    }
}
