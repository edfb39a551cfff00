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
        // Negative amounts are refused for what they are (not as a missing value); hexadecimal, `inf` and
        // `nan` are not amounts of dollars.
        for (flag, value, message) in [
            ("--max-cost", "-1", "--max-cost must be a positive amount of US dollars, like 0.50; got '-1'"),
            ("--max-cost", "0x10", "got '0x10'"), ("--max-cost", "inf", "got 'inf'"), ("--max-cost", "nan", "got 'nan'"),
            ("--max-tokens", "-5", "--max-tokens must be at least 1"),
        ] {
            let refused = try await CLI.run(["run", "ask", "--var", "topic=x", flag, value], in: dir.url)
            #expect(refused.status == 64, "\(flag) \(value)")
            #expect(refused.stderr.contains(message), "\(flag) \(value): \(refused.stderr)")
        }
        let dollarSign = try await CLI.run(["run", "publishing-report", "--var", "topic=Budgets", "--max-cost", "$0.01"], in: dir.url)
        #expect(dollarSign.stderr.contains("exceeds the budget --max-cost $0.01"), "\(dollarSign.stderr)")
        let unknown = try await CLI.run(["run", "ask", "--var", "topic=x", "--refresh", "answr"], in: dir.url)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean 'answer'"), "\(unknown.stderr)")
        #expect(server.requestCount == 0)
    }

    /// A failed call's usage is not known: the summary says so, and does not blame a price that exists.
    @Test func aFailedCallMakesTheCostUnknownForWhatItIs() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.workspace(server: server)
        server.injectFault(.serverError(500), times: 10) { $0.chatIndex != nil }
        let result = try await CLI.run(["run", "ask", "--var", "topic=failures", "--model", "gpt-4o-mini"], in: dir.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cost unknown (1 failed call whose usage the provider did not report)"), "\(result.stderr)")
        #expect(!result.stderr.contains("no price"), "\(result.stderr)")
    }

    @Test func refreshingATemplateStepIsAWarning() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        RunCommandTests.answerPlans(server, titles: ["One"])
        let dir = try Self.workspace(server: server)
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=Refresh", "--refresh", "report", "--refresh", "report"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "[run.refresh-template-step]").count == 2, "one warning: \(result.stderr)")
        #expect(result.stderr.contains("warning: --refresh report: step 'report' is a template step and makes no model calls; there is nothing to refresh"), "\(result.stderr)")
        #expect(result.stderr.contains("help: steps that call a model: plan, sections"), "\(result.stderr)")
    }

    /// A cached answer that post-processing rejects fails the same way at every run, at no cost: the
    /// error says so and how to ask the model again.
    @Test func aCachedAnswerThatFailsPostProcessingPointsToRefresh() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.workspace(server: server)
        try dir.write(["workflows/listed.yaml": "name: listed\ninputs:\n  topic: {type: string}\nsteps:\n  - id: items\n    prompt: ask@v1\n    temperature: 0\n    post: [bullet_list]\n"])
        let first = try await CLI.run(["run", "listed", "--var", "topic=prose"], in: dir.url)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("[run.post-processing]"), "\(first.stderr)")
        #expect(!first.stderr.contains("--refresh items"), "a fresh answer: \(first.stderr)")
        let second = try await CLI.run(["run", "listed", "--var", "topic=prose"], in: dir.url)
        #expect(second.status == 1)
        #expect(server.chatRequestCount == 1, "the second answer came from the cache")
        #expect(second.stderr.contains("help: the answer came from the response cache; --refresh items asks the model again"), "\(second.stderr)")
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

    @Test func cacheInfoPruneAndClear() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.workspace(server: server)
        let empty = try await CLI.run(["cache", "info"], in: dir.url)
        #expect(empty.status == 0)
        #expect(empty.stdout == ".quire/cache/: 0 entries, 0 bytes\n", "\(empty.stdout)")

        for topic in ["old", "kept"] {
            let run = try await CLI.run(["run", "ask", "--var", "topic=\(topic)"], in: dir.url)
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(server.chatRequestCount == 2)
        let info = try await CLI.run(["cache", "info", "--json"], in: dir.url)
        let figures = try JSONText.decode(info.stdout).objectValue ?? [:]
        #expect(figures["entries"] == .int(2))
        guard case .int(let bytes) = figures["bytes"] else { Issue.record("no byte count: \(info.stdout)"); return }
        #expect(bytes > 200)

        // Both entries untouched for 40 days; then "kept" is asked again, a hit that marks it used.
        let cache = dir.url.appendingPathComponent(".quire/cache")
        for case let url as URL in FileManager.default.enumerator(at: cache, includingPropertiesForKeys: nil)! where url.pathExtension == "json" {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -40 * 86_400)], ofItemAtPath: url.path)
        }
        let hit = try await CLI.run(["run", "ask", "--var", "topic=kept"], in: dir.url)
        #expect(hit.stderr.contains("1 cache hit"), "\(hit.stderr)")
        #expect(server.chatRequestCount == 2)

        let dry = try await CLI.run(["cache", "prune", "--older-than", "30d", "--dry-run", "--json"], in: dir.url)
        #expect(dry.status == 0, "\(dry.stderr)")
        let planned = try JSONText.decode(dry.stdout).objectValue ?? [:]
        #expect(planned["removed_entries"] == .int(1) && planned["left_entries"] == .int(1) && planned["dry_run"] == .bool(true))
        let listed = try await CLI.run(["cache", "prune", "--older-than", "30d", "--dry-run"], in: dir.url)
        #expect(listed.stdout.contains("last used "), "\(listed.stdout)")
        #expect(listed.stdout.contains("would remove 1 entry ("), "\(listed.stdout)")
        #expect((try JSONText.decode(try await CLI.run(["cache", "info", "--json"], in: dir.url).stdout).objectValue?["entries"]) == .int(2), "a dry run removes nothing")

        let pruned = try await CLI.run(["cache", "prune", "--older-than", "30d"], in: dir.url)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.hasPrefix("removed 1 entry ("), "\(pruned.stdout)")
        #expect(pruned.stdout.contains("not used in 30d; 1 entry ("), "\(pruned.stdout)")
        _ = try await CLI.run(["run", "ask", "--var", "topic=kept"], in: dir.url)
        #expect(server.chatRequestCount == 2, "the entry in use was kept")
        _ = try await CLI.run(["run", "ask", "--var", "topic=old"], in: dir.url)
        #expect(server.chatRequestCount == 3, "the unused one was removed, so it is asked again")

        let bad = try await CLI.run(["cache", "prune", "--older-than", "30 days"], in: dir.url)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--older-than '30 days' is not a span"), "\(bad.stderr)")

        let cleared = try await CLI.run(["cache", "clear"], in: dir.url)
        #expect(cleared.status == 0, "\(cleared.stderr)")
        #expect(cleared.stdout.hasPrefix("removed 2 entries ("), "\(cleared.stdout)")
        #expect(!FileManager.default.fileExists(atPath: cache.path))
        _ = try await CLI.run(["run", "ask", "--var", "topic=kept"], in: dir.url)
        #expect(server.chatRequestCount == 4)
    }
}
