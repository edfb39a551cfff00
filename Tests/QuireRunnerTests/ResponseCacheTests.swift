import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport
import Testing

/// The response cache behind `quire run`: deterministic requests answered once, then from `.quire/cache/`.
@Suite("Response cache", .serialized)
struct ResponseCacheTests {
    static let key = "sk-FAKE-cache-secret"
    static let prices = "prices:\n  fake-model: {input: 1.0, cached_input: 0.5, output: 2.0}"

    /// A workspace with `deterministic` (temperature 0, and a seed) and `warm` (temperature 0.7) workflows.
    static func harness(server: FakeOpenAIServer = FakeOpenAIServer(options: .init(apiKey: key))) async throws -> RunnerHarness {
        let harness = try await RunnerHarness(server: server, extraConfig: prices)
        try harness.write("prompts/ask/v1.prompt", """
            ---
            description: Asks about a topic.
            inputs:
              topic: {type: string}
            max_tokens: 50
            ---
            Tell me about {{ topic }}.
            """)
        try harness.write("workflows/deterministic.yaml", """
            name: deterministic
            inputs:
              topic: {type: string}
            steps:
              - id: zero
                prompt: ask@v1
                temperature: 0
              - id: seeded
                prompt: ask@v1
                temperature: 0.9
                seed: 3
            """)
        try harness.write("workflows/warm.yaml", """
            name: warm
            inputs:
              topic: {type: string}
            steps:
              - id: warm
                prompt: ask@v1
                temperature: 0.7
            """)
        return harness
    }

    static func options(_ harness: RunnerHarness, refresh: Set<String> = [], stream: Bool = false) -> RunOptions {
        RunOptions(stream: stream, cache: ResponseCache(workspaceRoot: harness.root), refresh: refresh)
    }

    static let environment = ["FAKE_API_KEY": key]

    static func files(under url: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }
    }

    @Test func aSecondDeterministicRunSendsNothingAndReportsHits() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let vars = [("topic", "caching")]
        let (first, _) = try await harness.run("deterministic", variables: vars, runID: "first", options: Self.options(harness), environment: Self.environment)
        #expect(first.status == .succeeded, "\(first.diagnostics)")
        #expect(harness.server.chatRequestCount == 2)
        let firstCalls = first.manifest.steps.values.flatMap(\.calls)
        #expect(firstCalls.allSatisfy { !$0.cacheHit })
        // Cost = usage × price: 1 $/M input, 2 $/M output.
        for call in firstCalls {
            let expected = (Double(call.usage.promptTokens) * 1.0 + Double(call.usage.completionTokens) * 2.0) / 1_000_000
            #expect(abs((call.costUSD ?? -1) - expected) < 1e-12)
        }
        let firstCost = try #require(first.manifest.costUSD)
        #expect(firstCost > 0)

        harness.server.resetRecords()
        let observer = RecordingObserver()
        let (second, folder) = try await harness.run(
            "deterministic", variables: vars, runID: "second", options: Self.options(harness), environment: Self.environment, observer: observer)
        #expect(second.status == .succeeded, "\(second.diagnostics)")
        #expect(harness.server.chatRequestCount == 0, "every answer comes from the cache")
        let calls = second.manifest.steps.values.flatMap(\.calls)
        #expect(calls.count == 2)
        #expect(calls.allSatisfy { $0.cacheHit && $0.costUSD == 0 && $0.latencyMilliseconds < 1000 })
        // The original usage is kept for information, not counted.
        let hitUsage: [Int] = calls.map(\.usage.totalTokens).sorted()
        let originalUsage: [Int] = firstCalls.map(\.usage.totalTokens).sorted()
        #expect(hitUsage == originalUsage)
        #expect(hitUsage.allSatisfy { $0 > 0 })
        #expect(second.manifest.usage.totalTokens == 0)
        #expect(second.manifest.costUSD == 0)
        #expect(second.manifest.cacheHits == 2)
        #expect(second.outputs["zero"] == first.outputs["zero"])
        let hits = observer.events.compactMap { if case .cacheHit(let step, _) = $0 { step } else { nil } }
        #expect(Set(hits) == ["zero", "seeded"])
        // In manifest.json, under the keys the run history reads.
        let onDisk = try JSONText.decode(harness.read("\(folder.relativePath)/manifest.json")).objectValue ?? [:]
        #expect(onDisk["cost_usd"] == .double(0) || onDisk["cost_usd"] == .int(0))
        let zero = onDisk["steps"]?.objectValue?["zero"]?.objectValue
        #expect(zero?["calls"]?.listValue?.first?.objectValue?["cache_hit"] == .bool(true))

        // The cache folder: owner-only, and the key is nowhere in it.
        let cache = harness.root.appendingPathComponent(".quire/cache")
        let entries = Self.files(under: cache)
        #expect(entries.filter { $0.pathExtension == "json" }.count == 2)
        for url in entries + [cache] {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            let isDirectory = attributes[.type] as? FileAttributeType == .typeDirectory
            #expect(mode == (isDirectory ? 0o700 : 0o600), "\(url.path) has mode \(String(mode, radix: 8))")
            if !isDirectory {
                #expect(!(try String(contentsOf: url, encoding: .utf8)).contains(Self.key))
            }
        }
    }

    @Test func nonDeterministicRequestsAreNotCached() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        for run in 1...2 {
            let (outcome, _) = try await harness.run("warm", variables: [("topic", "x")], runID: "run\(run)", options: Self.options(harness), environment: Self.environment)
            #expect(outcome.status == .succeeded, "\(outcome.diagnostics)")
            #expect(outcome.manifest.cacheHits == 0)
        }
        #expect(harness.server.chatRequestCount == 2)
        #expect(Self.files(under: harness.root.appendingPathComponent(".quire/cache")).filter { $0.pathExtension == "json" }.isEmpty)
    }

    @Test func errorsAndTruncatedAnswersAreNotCached() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        func write(maxTokens: Int) throws {
            try harness.write("workflows/warm.yaml", """
                name: warm
                inputs:
                  topic: {type: string}
                steps:
                  - id: warm
                    prompt: ask@v1
                    temperature: 0
                    max_tokens: \(maxTokens)
                """)
        }
        func entries() -> Int { Self.files(under: harness.root.appendingPathComponent(".quire/cache")).filter { $0.pathExtension == "json" }.count }
        try write(maxTokens: 50)
        // A rejected deterministic request: the step fails and nothing is stored, so the next run calls again.
        harness.server.injectFaults([.badRequest(message: "no", code: nil)])
        let (failed, _) = try await harness.run("warm", variables: [("topic", "x")], runID: "bad", options: Self.options(harness), environment: Self.environment)
        #expect(failed.status == .failed)
        #expect(entries() == 0)
        let (good, _) = try await harness.run("warm", variables: [("topic", "x")], runID: "good", options: Self.options(harness), environment: Self.environment)
        #expect(good.status == .succeeded)
        #expect(good.manifest.cacheHits == 0)
        #expect(harness.server.chatRequestCount == 2)
        #expect(entries() == 1)
        // An answer cut at the output limit (the fake server keeps 2 words and says `length`).
        try write(maxTokens: 2)
        for run in 1...2 {
            let (outcome, _) = try await harness.run("warm", variables: [("topic", "x")], runID: "cut\(run)", options: Self.options(harness), environment: Self.environment)
            #expect(outcome.status == .succeeded, "\(outcome.diagnostics)")
            #expect(outcome.manifest.steps["warm"]?.calls.first?.finishReason == "length")
            #expect(outcome.manifest.cacheHits == 0)
        }
        #expect(harness.server.chatRequestCount == 4)
        #expect(entries() == 1)
    }

    @Test func noCacheAndRefresh() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let vars = [("topic", "t")]
        // Without a cache (`--no-cache`): every run calls, and nothing is written.
        for run in 1...2 {
            let (outcome, _) = try await harness.run("deterministic", variables: vars, runID: "off\(run)", options: RunOptions(), environment: Self.environment)
            #expect(outcome.status == .succeeded)
        }
        #expect(harness.server.chatRequestCount == 4)
        #expect(!FileManager.default.fileExists(atPath: harness.root.appendingPathComponent(".quire/cache").path))

        _ = try await harness.run("deterministic", variables: vars, runID: "fill", options: Self.options(harness), environment: Self.environment)
        #expect(harness.server.chatRequestCount == 6)
        // `--refresh zero`: zero is called again (new answer stored), seeded still comes from the cache.
        harness.server.setResponder { _ in FakeResponse("a fresh answer") }
        let (refreshed, _) = try await harness.run("deterministic", variables: vars, runID: "refresh", options: Self.options(harness, refresh: ["zero"]), environment: Self.environment)
        #expect(harness.server.chatRequestCount == 7)
        #expect(refreshed.manifest.steps["zero"]?.calls.first?.cacheHit == false)
        #expect(refreshed.manifest.steps["seeded"]?.calls.first?.cacheHit == true)
        #expect(refreshed.outputs["zero"] == "a fresh answer")
        // The refreshed answer is what the next run reads.
        let (after, _) = try await harness.run("deterministic", variables: vars, runID: "after", options: Self.options(harness), environment: Self.environment)
        #expect(harness.server.chatRequestCount == 7)
        #expect(after.outputs["zero"] == "a fresh answer")
    }

    /// Sets a file's modification time `days` back from now.
    static func age(_ url: URL, days: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -days * 86_400)], ofItemAtPath: url.path)
    }

    @Test func aHitMarksItsEntryUsedAndPruningKeepsWhatIsInUse() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let cache = ResponseCache(workspaceRoot: harness.root)
        #expect(try cache.inventory().files.isEmpty, "no cache folder yet")
        _ = try await harness.run("deterministic", variables: [("topic", "a")], runID: "a", options: Self.options(harness), environment: Self.environment)
        _ = try await harness.run("deterministic", variables: [("topic", "b")], runID: "b", options: Self.options(harness), environment: Self.environment)
        let filled = try cache.inventory()
        #expect(filled.entryCount == 4)
        for file in filled.files {
            let url = cache.folder.appendingPathComponent(file.path)
            #expect(file.isEntry)
            #expect(file.bytes == (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue)
            try Self.age(url, days: 40)
        }
        // No entries: a temporary file left by a killed write (listed), and files of someone else — in a
        // shard folder and in a folder of another tool (never listed, so never removed).
        let shardName = String(filled.files[0].path.prefix(2))
        let shard = cache.folder.appendingPathComponent(shardName)
        let entryName = String(filled.files[0].path.dropFirst(3))
        try "partial".write(to: shard.appendingPathComponent(".\(entryName).77-1.tmp"), atomically: false, encoding: .utf8)
        try "mine".write(to: shard.appendingPathComponent("README"), atomically: false, encoding: .utf8)
        try "mine".write(to: shard.appendingPathComponent(".\(entryName).tmp"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(at: cache.folder.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try "keep".write(to: cache.folder.appendingPathComponent("notes/readme.txt"), atomically: false, encoding: .utf8)

        // Topic "a" again: its two entries answer, and are marked used now.
        harness.server.resetRecords()
        let (again, _) = try await harness.run("deterministic", variables: [("topic", "a")], runID: "a2", options: Self.options(harness), environment: Self.environment)
        #expect(again.manifest.cacheHits == 2)
        #expect(harness.server.chatRequestCount == 0)
        let inventory = try cache.inventory()
        #expect(inventory.entryCount == 4)
        #expect(inventory.files.count == 5, "the leftover counts; the other files do not")
        #expect(inventory.entries.filter { $0.lastUsed > Date(timeIntervalSinceNow: -600) }.count == 2)

        let unused = inventory.unused(since: Date(timeIntervalSinceNow: -30 * 86_400))
        #expect(unused.filter(\.isEntry).count == 2)
        #expect(unused.count == 2, "the leftover is new: a write may still be going on")
        try cache.remove(unused + unused)  // a file already gone counts as removed
        #expect(try cache.inventory().entryCount == 2)
        #expect(FileManager.default.fileExists(atPath: cache.folder.appendingPathComponent("notes/readme.txt").path))

        // Topic "a" is answered from the cache still; topic "b" is asked again.
        harness.server.resetRecords()
        _ = try await harness.run("deterministic", variables: [("topic", "a")], runID: "a3", options: Self.options(harness), environment: Self.environment)
        #expect(harness.server.chatRequestCount == 0)
        _ = try await harness.run("deterministic", variables: [("topic", "b")], runID: "b2", options: Self.options(harness), environment: Self.environment)
        #expect(harness.server.chatRequestCount == 2)

        // Removing everything leaves no shard folder behind but the one holding someone else's files.
        let all = try cache.inventory().files
        try cache.remove(all)
        let left = try FileManager.default.contentsOfDirectory(atPath: cache.folder.path).sorted()
        #expect(left == [shardName, "notes"].sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: shard.path).sorted() == [".\(entryName).tmp", "README"])
    }

    @Test func corruptEntriesAreIgnoredWithAWarningAndReplaced() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        _ = try await harness.run("warm", variables: [("topic", "x")], runID: "none", options: Self.options(harness), environment: Self.environment)
        let vars = [("topic", "c")]
        _ = try await harness.run("deterministic", variables: vars, runID: "fill", options: Self.options(harness), environment: Self.environment)
        let entries = Self.files(under: harness.root.appendingPathComponent(".quire/cache")).filter { $0.pathExtension == "json" }
        #expect(entries.count == 2)
        for entry in entries { try "{ not json".write(to: entry, atomically: true, encoding: .utf8) }
        harness.server.resetRecords()
        let observer = RecordingObserver()
        let (outcome, _) = try await harness.run("deterministic", variables: vars, runID: "again", options: Self.options(harness), environment: Self.environment, observer: observer)
        #expect(outcome.status == .succeeded)
        #expect(harness.server.chatRequestCount == 2)
        let warnings = observer.events.compactMap { if case .warning(let d) = $0 { d } else { nil } }
        #expect(warnings.filter { $0.id == "run.cache-entry" }.count == 2)
        for entry in entries { #expect(try CachedAnswer(json: String(contentsOf: entry, encoding: .utf8)).content.hasPrefix("echo:")) }
    }

    @Test func streamedAnswersAreCachedAndReplayedAsOneDelta() async throws {
        let harness = try await Self.harness()
        defer { Task { await harness.stop() } }
        let vars = [("topic", "s")]
        let (first, _) = try await harness.run("deterministic", variables: vars, runID: "s1", options: Self.options(harness, stream: true), environment: Self.environment)
        #expect(first.status == .succeeded)
        harness.server.resetRecords()
        let observer = RecordingObserver()
        let (second, _) = try await harness.run("deterministic", variables: vars, runID: "s2", options: Self.options(harness, stream: true), environment: Self.environment, observer: observer)
        #expect(harness.server.chatRequestCount == 0)
        #expect(second.outputs == first.outputs)
        let deltas = observer.events.compactMap { if case .delta(let label, let text) = $0 { (label, text) } else { nil } }
        #expect(deltas.first { $0.0 == "zero" }?.1 == first.outputs["zero"]?.stringValue)
    }
}
