import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

struct PromptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "Create prompts, start new versions and compare versions.",
        discussion: """
            A prompt is a folder under prompts/ holding one file per version: v1.prompt, v2.prompt, … \
            Old versions stay beside new ones so workflows can pin them (name@v1) and goldens can tell \
            which version produced them.

            Examples:
              quire prompts new blog-outline
              quire prompts bump blog-outline          # copies v1 to v2, ready to edit
              quire prompts diff blog-outline@v1 blog-outline@v2
            """,
        subcommands: [NewPrompt.self, BumpPrompt.self, DiffPrompts.self])
}

struct NewPrompt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new", abstract: "Create prompts/NAME/v1.prompt from a starter template.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The prompt's name, e.g. blog-outline (folders allowed: marketing/tagline).")
    var name: String

    func run() async throws {
        guard PromptName.isValid(name) else {
            global.report([.error("prompt.invalid-name", "invalid prompt name '\(name)': use letters, digits, '-', '_', '.' and '/' between folders")], sources: [:])
            throw ExitCodes.usage
        }
        // Creating the first prompt may start a workspace: outside one, prompts/ is made here.
        let fs = LocalFileSystem(root: try global.rootOrHere())
        let workspace = WorkspaceLoader(fileSystem: fs).load()
        if let family = workspace.prompts[name] {
            global.report([.error("prompt.exists", "prompt '\(name)' already exists (latest v\(family.latestVersion ?? 1))", suggestion: "start a new version with `quire prompts bump \(name)`")], sources: [:])
            throw ExitCodes.usage
        }
        let path = "\(workspace.config.paths.prompts)/\(name)/v1.prompt"
        let starter = """
            ---
            description: What this prompt does, in one line.
            inputs:
              topic: {type: string}
            temperature: 0.7
            max_tokens: 400
            ---
            system:
            You are a helpful writer.

            user:
            Write about {{ topic }}.

            """
        try write(starter, to: path, fs: fs)
        Console.out("created \(path)")
    }
}

struct BumpPrompt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bump", abstract: "Copy the latest version of a prompt to the next version number, ready to edit.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The prompt's name.")
    var name: String

    func run() async throws {
        let (workspace, fs) = try global.loadWorkspace()
        guard let family = workspace.prompts[name], let latest = family.latestVersion, let source = family.paths[latest] else {
            global.report([.error("prompt.not-found", "unknown prompt '\(name)'", suggestion: Suggestions.didYouMean(name, in: workspace.prompts.keys))], sources: [:])
            throw ExitCodes.usage
        }
        let path = "\(workspace.config.paths.prompts)/\(name)/v\(latest + 1).prompt"
        let data = try fs.readFile(source)
        try write(String(decoding: data, as: UTF8.self), to: path, fs: fs)
        Console.out("created \(path) from v\(latest); workflows that reference '\(name)' without a version now use v\(latest + 1), pinned ones ('\(name)@v\(latest)') do not")
    }
}

struct DiffPrompts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show a unified diff between two versions of a prompt.",
        discussion: "With one argument NAME, compares the latest version with the one before it.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "NAME@vA NAME@vB, or NAME alone.")
    var versions: [String]

    func run() async throws {
        let (workspace, fs) = try global.loadWorkspace()
        var references: [PromptReference] = []
        for text in versions {
            switch PromptReference.parse(text) {
            case .failure(let problem):
                global.report([.error("prompt.invalid-reference", problem.message)], sources: [:])
                throw ExitCodes.usage
            case .success(let r): references.append(r)
            }
        }
        if references.count == 1, references[0].version == nil, let latest = workspace.prompts[references[0].name]?.latestVersion {
            references = [PromptReference(name: references[0].name, version: latest - 1), PromptReference(name: references[0].name, version: latest)]
        }
        guard references.count == 2 else {
            global.report([.error("cli.usage", "give two versions (NAME@v1 NAME@v2) or one prompt name")], sources: [:])
            throw ExitCodes.usage
        }
        var texts: [(String, String)] = []
        for reference in references {
            guard let family = workspace.prompts[reference.name] else {
                global.report([.error("prompt.not-found", "unknown prompt '\(reference.name)'", suggestion: Suggestions.didYouMean(reference.name, in: workspace.prompts.keys))], sources: [:])
                throw ExitCodes.usage
            }
            guard let version = reference.version ?? family.latestVersion, let path = family.paths[version] else {
                let available = family.paths.keys.sorted().map { "v\($0)" }.joined(separator: ", ")
                global.report([.error("prompt.unknown-version", "prompt '\(reference.name)' has no version v\(reference.version ?? 0) (available: \(available))")], sources: [:])
                throw ExitCodes.usage
            }
            texts.append((path, String(decoding: try fs.readFile(path), as: UTF8.self)))
        }
        let diff = UnifiedDiff.make(old: texts[0].1, new: texts[1].1, oldName: texts[0].0, newName: texts[1].0)
        if diff.isEmpty {
            Console.out("\(references[0]) and \(references[1]) are identical")
        } else {
            Console.out(DiffColor.paint(diff, color: global.terminal.colorOnStdout))
        }
    }
}

/// Colours a unified diff for a terminal.
enum DiffColor {
    static func paint(_ diff: String, color: Bool) -> String {
        guard color else { return diff.hasSuffix("\n") ? String(diff.dropLast()) : diff }
        return TextLines.split(diff).map { line in
            if line.hasPrefix("+++") || line.hasPrefix("---") { return "\u{1B}[1m\(line)\u{1B}[0m" }
            if line.hasPrefix("@@") { return "\u{1B}[36m\(line)\u{1B}[0m" }
            if line.hasPrefix("+") { return "\u{1B}[32m\(line)\u{1B}[0m" }
            if line.hasPrefix("-") { return "\u{1B}[31m\(line)\u{1B}[0m" }
            return line
        }.joined(separator: "\n")
    }
}

/// Writes a new workspace file, refusing to overwrite.
private func write(_ text: String, to path: String, fs: LocalFileSystem) throws {
    let url = fs.root.appendingPathComponent(path)
    if FileManager.default.fileExists(atPath: url.path) {
        throw ValidationError("\(path) already exists")
    }
    try AtomicFileWriter.write(text, to: url)
}
