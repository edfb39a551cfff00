import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// The API key reaches the provider and nothing else: no file Quire writes, no `--json` output, no
/// error message — HTTP-layer errors included. The key here does not look like an OpenAI key, so
/// only the scrubbing of the configured key (not the `sk-…` pattern) can hide it.
@Suite("Secrets: the key never leaves the Authorization header", .serialized)
struct SecretLeakTests {
    static let key = "quire-test-key-7Q4Z9f1e2d3c5b6a"

    /// Every file under `root` (but the `.env` that holds the key) whose bytes contain the key.
    static func filesContainingKey(_ root: URL) -> [String] {
        let names = FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []
        return names.filter { name in
            guard (name as NSString).lastPathComponent != ".env",
                  let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).path) else { return false }
            return String(decoding: data, as: UTF8.self).contains(key)
        }
    }

    @Test func theKeyAppearsInNoFileOutputOrErrorWhateverTheServerDoes() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        server.setResponder { request in FakeResponse(ExampleResponder.answer(request.messages)) }
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write([".env": "FAKE_API_KEY=\(Self.key)\n"])
        let isChat: @Sendable (ReceivedRequest) -> Bool = { $0.chatIndex != nil }
        var outputs: [(String, CLI.Result)] = []

        // Errors raised by the HTTP layer and the server, each with the key in what comes back.
        let faults: [(String, FakeFault)] = [
            ("401 echoing the key", .unauthorized),
            ("500 whose body quotes the key", .status(500, body: #"{"error": {"message": "upstream rejected key \#(Self.key)"}}"#, headers: [:])),
            ("502 in plain text", .status(502, body: "bad gateway for Bearer \(Self.key)", headers: ["X-Debug": Self.key])),
            ("a redirect to a URL holding the key", .status(307, body: nil, headers: ["Location": "http://127.0.0.1:1/v1/chat/completions?api_key=\(Self.key)"])),
            ("a dropped connection", .closeConnection),
        ]
        for (index, (name, fault)) in faults.enumerated() {
            server.clearFaults()
            server.injectFault(fault, times: 100, when: isChat)
            let result = try await CLI.run(
                ["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/fault\(index)", "--json"], in: dir.url)
            #expect(result.status == 1, "\(name): \(result.stderr)")
            #expect(result.stderr.contains("step 'plan'"), "\(name): \(result.stderr)")
            outputs.append((name, result))
        }
        server.clearFaults()
        // A server that is not there at all: a port held but not listening.
        let refusing = try RefusingPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = try RunCommandTests.workspace(baseURL: "http://127.0.0.1:\(refusing.port)/v1")
        try closed.write([".env": "FAKE_API_KEY=\(Self.key)\n"])
        outputs.append(("connection refused", try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--json"], in: closed.url)))
        outputs.append(("doctor, connection refused", try await CLI.run(["doctor", "--json"], in: closed.url)))

        // Successful runs, recordings, goldens, test outputs and the doctor's report.
        let run = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/ok", "--json"], in: dir.url)
        #expect(run.status == 0, "\(run.stderr)")
        outputs.append(("run --json", run))
        let test = try await CLI.run(["test", "--live", "--record", "all", "--json"], in: dir.url)
        #expect(test.stdout.contains("\"cases\""), "\(test.stderr)")
        outputs.append(("test --live --record all --json", test))
        outputs.append(("accept", try await CLI.run(["accept", "publishing-report"], in: dir.url)))
        outputs.append(("test --replay", try await CLI.run(["test", "--replay", "--json"], in: dir.url)))
        let doctor = try await CLI.run(["doctor", "--json"], in: dir.url)
        outputs.append(("doctor --json", doctor))

        // The key was really in play: the server got it on every request.
        #expect(server.chatRequests.count > 10)
        #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer \(Self.key)" })
        for (name, result) in outputs {
            #expect(!result.stdout.contains(Self.key), "\(name): the key is on stdout")
            #expect(!result.stderr.contains(Self.key), "\(name): the key is on stderr: \(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("golden/publishing-report/swift-concurrency/golden.recordings.json").path))
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(".quire").path))
        #expect(Self.filesContainingKey(dir.url) == [], "files under the workspace contain the key")
        #expect(Self.filesContainingKey(closed.url) == [])
    }

    /// `.env` is read from the workspace root only: one in a parent folder, or in the output folder
    /// (even when quire runs from there), is ignored.
    @Test func dotEnvIsReadFromTheWorkspaceRootOnly() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        server.setResponder { request in FakeResponse(ExampleResponder.answer(request.messages)) }
        let parent = try TemporaryDirectory()
        var files: [String: String] = [:]
        for (path, text) in ExampleWorkspace.files { files["ws/\(path)"] = text }
        files["ws/quire.yaml"] = """
            provider: fake
            defaults: {model: fake-model}
            providers:
              fake:
                base_url: \(server.baseURL)
                api_key_env: FAKE_API_KEY
            """
        files[".env"] = "FAKE_API_KEY=from-the-parent-folder-1234\n"
        files["ws/output/.env"] = "FAKE_API_KEY=from-the-output-folder-5678\n"
        try parent.write(files)
        let workspace = parent.url.appendingPathComponent("ws")

        let fromRoot = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/a"], in: workspace)
        #expect(fromRoot.status == 0, "\(fromRoot.stderr)")
        let fromOutput = try await CLI.run(
            ["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/b"], in: workspace.appendingPathComponent("output"))
        #expect(fromOutput.status == 0, "\(fromOutput.stderr)")
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("output/b/report.md").path), "the workspace root was found from output/")
        #expect(server.chatRequests.count == 10)
        #expect(server.chatRequests.allSatisfy { $0.header("Authorization") == nil }, "\(server.chatRequests.compactMap { $0.header("Authorization") })")

        // The workspace root's own .env is read.
        try parent.write(["ws/.env": "FAKE_API_KEY=from-the-workspace-root-9012\n"])
        let withKey = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/c"], in: workspace)
        #expect(withKey.status == 0, "\(withKey.stderr)")
        #expect(server.chatRequests.dropFirst(10).allSatisfy { $0.header("Authorization") == "Bearer from-the-workspace-root-9012" })
    }
}
