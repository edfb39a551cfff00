import ArgumentParser
import Foundation
import QuireCore
import QuireProviders
import QuireRunner

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a model provider: reachable, models, a completion, which parameters it honours.",
        discussion: """
            Sends a dozen tiny requests (a few tokens each) and prints one row per check: GET /models, a \
            plain completion, max_tokens and max_completion_tokens (asks for 5 tokens and checks the usage \
            and finish_reason), seed (the same answer twice at temperature 1), stop (cuts a known answer \
            before one of its words), top_p and penalties (accepted), streaming with usage (with the time to \
            the first text), and JSON output (json_object, and json_schema checked against the schema). Then \
            it prints the quire.yaml row that matches what it found.

            The provider is --provider, else the workspace's default (quire.yaml's `provider:`, `openai` \
            when OPENAI_API_KEY is set, else `local`, whose server it starts and stops).

            Exit codes: 0 the provider answers, 1 it does not (or cannot be started), 64 bad options.

            Examples:
              quire doctor
              quire doctor --provider openai --model gpt-4o-mini
              quire doctor --provider local --model-path ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The provider to check (default: the workspace's default provider).")
    var provider: String?

    @Option(help: "The model to ask (default: the provider's, then quire.yaml's default model, then the first one listed).")
    var model: String?

    @Option(help: ArgumentHelp("For a local provider: serve this GGUF model file.", valueName: "file"))
    var modelPath: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        // The machine is checked anywhere; a workspace's providers where there is one.
        let root = try global.rootOrHere()
        let workspace = WorkspaceLoader(fileSystem: LocalFileSystem(root: root)).load()
        let environment = ProviderResolver.environment(workspaceRoot: root)
        var resolver = ProviderResolver(
            config: workspace.config, environment: environment,
            localModelPath: modelPath.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath).standardizedFileURL.path })
        let name = provider ?? resolver.defaultProviderName
        guard let row = resolver.provider(named: name) else {
            global.report([.error("doctor.unknown-provider", "unknown provider '\(name)'", suggestion: Suggestions.didYouMean(name, in: workspace.config.providerNames))], sources: [:])
            throw ExitCodes.usage
        }

        let servers = LocalServerManager(workspaceRoot: root, environment: environment, note: { Console.err($0) })
        if resolver.needsLocalServer(row) {
            switch servers.launch(for: row) {
            case .failure(let problem):
                global.report([problem], sources: workspace.sources)
                throw ExitCodes.failure
            case .success(let launch):
                do {
                    resolver.localEndpoints[row.name] = try await servers.acquire(launch).baseURL
                } catch {
                    global.report(error.diagnostics, sources: [:])
                    throw ExitCodes.failure
                }
            }
        }
        let configuration: ProviderConfiguration
        switch resolver.configuration(for: row) {
        case .failure(let problem):
            await servers.stopAll()
            global.report([problem], sources: [:])
            throw ExitCodes.failure
        case .success(let c): configuration = c
        }

        Console.err("checking provider '\(row.name)' at \(configuration.baseURL)…")
        let doctor = ProviderDoctor(configuration: configuration, model: model ?? row.defaults.model ?? workspace.config.defaults.model)
        let report = await doctor.run()
        await servers.stopAll()

        let managed = resolver.needsLocalServer(row)
        let suggested = report.suggestedRow(baseURL: managed ? nil : row.baseURL, apiKeyEnv: managed ? nil : row.apiKeyEnv)
        if json {
            Console.out(report.json(suggestedRow: suggested))
        } else {
            Console.out("provider '\(report.provider)' at \(report.baseURL)\(report.model.isEmpty ? "" : ", model \(report.model)")")
            Console.out("")
            Console.out(report.table)
            Console.out("")
            Console.out("A quire.yaml row for what was found:")
            Console.out("")
            Console.out(suggested.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        }
        if !report.isUsable { throw ExitCodes.failure }
    }
}
