import Foundation
import QuireCore
import QuireTestSupport
import Testing

/// `quire run` with prices, budgets and the response cache, as a user runs it.
@Suite("CLI: cost, budgets, cache", .serialized)
struct CostCommandTests {
    static func workspace(server: FakeOpenAIServer) throws -> TemporaryDirectory {
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write([
            "quire.yaml": try dir.read("quire.yaml") + "\nprices:\n  fake-model: {input: 1000, output: 2000}\n",
            "prompts/ask/v1.prompt": "---\ndescription: Asks.\ninputs:\n  topic: {type: string}\nmax_tokens: 20\n---\nTell me about {{ topic }}.\n",
            "workflows/ask.yaml": "name: ask\ninputs:\n  topic: {type: string}\nsteps:\n  - id: answer\n    prompt: ask@v1\n    temperature: 0\n",
        ])
        return dir
    }

    @Test func overBudgetRunsExit1BeforeAnyRequest() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.workspace(server: server)
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=Budgets", "--max-cost", "0.01", "--out", "output/b"], in: dir.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("exceeds the budget --max-cost $0.01; nothing was sent [run.budget-exceeded]"), "\(result.stderr)")
        #expect(server.requestCount == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("output/b").path))

        let bad = try await CLI.run(["run", "ask", "--var", "topic=x", "--max-tokens", "0"], in: dir.url)
        #expect(bad.status == 64)
        let unknown = try await CLI.run(["run", "ask", "--var", "topic=x", "--refresh", "answr"], in: dir.url)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean 'answer'"), "\(unknown.stderr)")
        #expect(server.requestCount == 0)
    }

    @Test func secondRunIsAnsweredFromTheCacheAndTheSummaryShowsCost() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.workspace(server: server)
        let first = try await CLI.run(["run", "ask", "--var", "topic=caches"], in: dir.url, environment: ["FAKE_API_KEY": "sk-cli-SECRET"])
        #expect(first.status == 0, "\(first.stderr)")
        // "Tell me about caches." is 4 words, the echo answer 6: (4 × 1000 + 6 × 2000) / 1M = $0.016.
        #expect(first.stderr.contains("succeeded: 10 tokens (4 prompt + 6 completion), $0.016\n"), "\(first.stderr)")
        #expect(server.chatRequestCount == 1)

        let second = try await CLI.run(["run", "ask", "--var", "topic=caches"], in: dir.url, environment: ["FAKE_API_KEY": "sk-cli-SECRET"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(server.chatRequestCount == 1, "answered from .quire/cache")
        #expect(second.stderr.contains("answer: done in"))
        #expect(second.stderr.contains("cached"))
        #expect(second.stderr.contains("succeeded: 0 tokens (0 prompt + 0 completion), $0, 1 cache hit\n"), "\(second.stderr)")

        let off = try await CLI.run(["run", "ask", "--var", "topic=caches", "--no-cache"], in: dir.url, environment: ["FAKE_API_KEY": "sk-cli-SECRET"])
        #expect(off.status == 0)
        #expect(server.chatRequestCount == 2)
        let refreshed = try await CLI.run(["run", "ask", "--var", "topic=caches", "--refresh", "answer"], in: dir.url, environment: ["FAKE_API_KEY": "sk-cli-SECRET"])
        #expect(refreshed.status == 0)
        #expect(server.chatRequestCount == 3)

        let cacheFiles = FileManager.default.enumerator(atPath: dir.url.appendingPathComponent(".quire/cache").path)?.allObjects.count ?? 0
        #expect(cacheFiles == 2, "one shard folder, one entry")
    }
}
