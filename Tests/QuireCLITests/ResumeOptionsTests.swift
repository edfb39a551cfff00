import Foundation
import QuireCore
import QuireTestSupport
import Testing

/// `--resume` continues a run with the command-line choices it was started with (recorded in its
/// manifest as `options`): the printed "continue with" command works as printed.
@Suite("CLI: resuming with the recorded options")
struct ResumeOptionsTests {
    static let key = ["FAKE_API_KEY": "sk-resume-SECRET"]

    /// The example workspace whose provider names no model: every run needs `--model`.
    static func workspace(server: FakeOpenAIServer) throws -> TemporaryDirectory {
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write(["quire.yaml": """
            provider: fake
            providers:
              fake:
                base_url: \(server.baseURL)
                api_key_env: FAKE_API_KEY
                max_retries: 1
                timeout: 5
            """])
        return dir
    }

    @Test func theContinueWithCommandKeepsTheModelAndTheBudget() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        RunCommandTests.answerPlans(server, titles: ["One", "Two", "Three"])
        let dir = try Self.workspace(server: server)

        let first = try await CLI.run(["run", "publishing-report", "--var", "topic=Resume", "--model", "chosen-model", "--max-tokens", "700"], in: dir.url, environment: Self.key)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("[run.budget-exceeded]"), "\(first.stderr)")
        let printed = try #require(first.stderr.components(separatedBy: "continue with: ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(printed.hasPrefix("quire run publishing-report --resume "), "\(printed)")
        let sentFirst = server.chatRequestCount
        #expect(sentFirst >= 1)

        // As printed: the recorded --model is used (no "no model" error) and the recorded budget still holds.
        let again = try await CLI.run(Array(printed.split(separator: " ").dropFirst().map(String.init)), in: dir.url, environment: Self.key)
        #expect(again.status == 1, "\(again.stderr)")
        #expect(!again.stderr.contains("run.no-model"), "\(again.stderr)")
        #expect(again.stderr.contains("[run.budget-exceeded]"), "the recorded --max-tokens 700 still applies: \(again.stderr)")

        // A bigger budget given again wins, with a warning; the model is still the recorded one.
        let bigger = try await CLI.run(Array(printed.split(separator: " ").dropFirst().map(String.init)) + ["--max-tokens", "100000"], in: dir.url, environment: Self.key)
        #expect(bigger.status == 0, "\(bigger.stderr)")
        #expect(bigger.stderr.contains("was started with --model chosen-model --max-tokens 700; its steps still to run use --max-tokens as given now"), "\(bigger.stderr)")
        #expect(bigger.stderr.contains("[run.resume-options-changed]"))
        #expect(server.chatRequests.allSatisfy { $0.model == "chosen-model" }, "\(server.chatRequests.map(\.model))")
        #expect(server.chatRequestCount > sentFirst)

        let id = String(printed.split(separator: " ").last!)
        let manifest = try RunCommandTests.manifest(dir, "output/publishing-report/\(id)")
        #expect(manifest["options"] == ["model": "chosen-model", "max_tokens": 100000], "\(manifest["options"] ?? .null)")
        #expect(manifest["status"] == "succeeded")
    }

    @Test func aNewRunRecordsItsOptionsAndARunWithoutThemRecordsNone() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        RunCommandTests.answerPlans(server, titles: ["One"])
        let dir = try RunCommandTests.workspace(server: server)
        let plain = try await CLI.run(["run", "publishing-report", "--var", "topic=Plain", "--out", "output/plain"], in: dir.url, environment: Self.key)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try RunCommandTests.manifest(dir, "output/plain")["options"] == nil)
        let chosen = try await CLI.run(
            ["run", "publishing-report", "--var", "topic=Chosen", "--out", "output/chosen", "--no-cache", "--max-cost", "$2", "--provider", "fake", "--model", "gpt-4o-mini"],
            in: dir.url, environment: Self.key)
        #expect(chosen.status == 0, "\(chosen.stderr)")
        let options = try RunCommandTests.manifest(dir, "output/chosen")["options"]
        #expect(options == ["provider": "fake", "model": "gpt-4o-mini", "max_cost": 2.0, "no_cache": true], "\(options ?? .null)")
    }
}
