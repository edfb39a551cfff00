import Foundation
import QuireCore

/// Builds an in-memory workspace from file texts, loads and validates it.
struct TestWorkspace {
    var files: [String: String]

    init(_ files: [String: String]) { self.files = files }

    var fileSystem: InMemoryFileSystem { InMemoryFileSystem(texts: files) }

    func load() -> Workspace { WorkspaceLoader(fileSystem: fileSystem).load() }

    func validate(_ workflows: [String]? = nil) -> WorkspaceValidator.Result {
        WorkspaceValidator(workspace: load()).validate(workflows: workflows)
    }

    /// The one-line forms of every diagnostic, sorted for display.
    func diagnostics(_ workflows: [String]? = nil) -> [String] {
        validate(workflows).diagnostics.map(\.description)
    }
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small valid workspace used as a base by many tests.
let basicPrompt = """
    ---
    description: Greets someone.
    inputs:
      name: {type: string}
    ---
    system:
    You are friendly.

    user:
    Say hello to {{ name }}.
    """

let basicWorkflow = """
    description: Greets.
    inputs:
      name: {type: string}
    steps:
      - id: greet
        prompt: greeter@v1
        temperature: 0.5
    """
