import Foundation
import QuireCore
import QuireTestSupport
import Testing

/// The figures `quire runs`, `show` and `stats` give for cache hits, refused and failed calls, and small costs:
/// the same as the manifests say.
@Suite("CLI: run history figures", .serialized)
struct HistoryFiguresTests {
    static func json(_ result: CLI.Result) throws -> Value {
        try JSONText.decode(result.stdout)
    }

    static func int(_ value: Value?) -> Int? {
        if case .int(let i) = value { return i }
        return nil
    }

    @Test func aRunAnsweredFromTheCacheCountsNoTokens() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try CostCommandTests.workspace(server: server)
        let first = try await CLI.run(["run", "ask", "--var", "topic=caches"], in: dir.url)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try await CLI.run(["run", "ask", "--var", "topic=caches"], in: dir.url)
        #expect(second.stderr.contains("succeeded: 0 tokens (0 prompt + 0 completion), $0, 1 cache hit"), "\(second.stderr)")

        let checkRuns = {
            let runs = try await Self.json(CLI.run(["runs", "--json"], in: dir.url)).listValue?.compactMap(\.objectValue) ?? []
            try #require(runs.count == 2)
            for run in runs {
                let manifest = try RunCommandTests.manifest(dir, try #require(run["folder"]?.stringValue))
                let usage = manifest["usage"]?.objectValue
                #expect(run["total_tokens"] == usage?["total_tokens"])
                #expect(run["prompt_tokens"] == usage?["prompt_tokens"])
                #expect(run["completion_tokens"] == usage?["completion_tokens"])
            }
            #expect(runs[0]["total_tokens"] == 0, "the newest run was answered from the cache")
            #expect(runs[0]["cache_hits"] == 1)
            #expect(runs[1]["total_tokens"] == 10)
        }
        try await checkRuns()
        let table = try await CLI.run(["runs"], in: dir.url).stdout
        // RUN WORKFLOW STATUS STARTED(date time) DURATION CALLS TOKENS COST CACHE-HITS
        let newest = try #require(table.split(separator: "\n").dropFirst().first).split(separator: " ")
        #expect(newest.count == 10 && newest[6] == "1" && newest[7] == "0" && newest[9] == "1", "\(table)")

        let latest = try await Self.json(CLI.run(["runs", "--json", "--limit", "1"], in: dir.url))
        let id = try #require(latest.listValue?.first?.objectValue?["run_id"]?.stringValue)
        let show = try await CLI.run(["show", id], in: dir.url).stdout
        #expect(show.contains("total: 1 call, 0 tokens (0 in + 0 out)"), "\(show)")
        #expect(show.contains("(4)") && show.contains("(6)") && show.contains("hit"), "a hit's own usage is shown, marked: \(show)")

        // Stats count the tokens of the call that was sent, and the hit apart.
        let stats = try await Self.json(CLI.run(["stats", "--json"], in: dir.url))
        let total = try #require(stats.objectValue?["total"]?.objectValue)
        #expect(Self.int(total["calls"]) == 2)
        #expect(Self.int(total["prompt_tokens"]) == 4)
        #expect(Self.int(total["completion_tokens"]) == 6)
        #expect(Self.int(total["total_tokens"]) == 10)
        #expect(Self.int(total["cache_hits"]) == 1)

        // Rebuilt from the manifests: the same figures.
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).status == 0)
        try await checkRuns()
    }
}

extension HistoryFiguresTests {
    @Test func callsTheBudgetRefusedAreNeitherCallsNorLatencies() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        HistoryCommandTests.answer(server, titles: ["One", "Two", "Three"])
        let dir = try CostCommandTests.workspace(server: server)
        // The estimate (the plan: its prompt and max_tokens) says how much the plan may take; a little
        // more lets the plan go, and refuses every section (each up to 400 tokens more).
        let probe = try await CLI.run(["run", "publishing-report", "--var", "topic=Budgets", "--max-tokens", "1"], in: dir.url)
        let words = probe.stderr.split(separator: " ")
        let estimate = try #require(words.firstIndex(of: "estimated").flatMap { Int(words[$0 + 1]) }, "\(probe.stderr)")
        let run = try await CLI.run(
            ["run", "publishing-report", "--var", "topic=Budgets", "--max-tokens", String(estimate + 10), "--out", "output/b"], in: dir.url)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("[run.budget-exceeded]"), "\(run.stderr)")
        #expect(server.chatRequestCount == 1, "only the plan was sent")
        let manifest = try RunCommandTests.manifest(dir, "output/b")
        let sections = manifest["steps"]?.objectValue?["sections"]?.objectValue?["calls"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(sections.count == 3)
        #expect(sections.allSatisfy { $0["status"] == "refused" }, "\(sections)")
        #expect(manifest["calls"] == 1, "a refused call is no model call")

        let runs = try await Self.json(CLI.run(["runs", "--json"], in: dir.url)).listValue?.compactMap(\.objectValue) ?? []
        #expect(runs.first?["calls"] == 1)
        let table = try await CLI.run(["runs"], in: dir.url).stdout
        let row = try #require(table.split(separator: "\n").dropFirst().first).split(separator: " ")
        #expect(row.count == 10 && row[6] == "1", "CALLS: \(table)")

        let id = try #require(runs.first?["run_id"]?.stringValue)
        let show = try await CLI.run(["show", id], in: dir.url).stdout
        let refusedRows = show.split(separator: "\n").filter { $0.hasPrefix("  sections[") && $0.contains("fake-model") }
        #expect(refusedRows.count == 3)
        #expect(refusedRows.allSatisfy { $0.contains("refused (not sent)") && !$0.contains("failed") && !$0.contains("0.00s") }, "\(show)")
        #expect(show.contains("total: 1 call,"), "\(show)")
        let shown = try await Self.json(CLI.run(["show", id, "--json"], in: dir.url))
        let steps = shown.objectValue?["steps"]?.listValue?.compactMap(\.objectValue) ?? []
        let shownCalls = steps.first { $0["id"] == "sections" }?["calls"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(shownCalls.map { $0["status"] } == ["refused", "refused", "refused"])

        // Stats: one call, whose latency is every percentile; no group for the refused step.
        let planLatency = try #require(Self.int(manifest["steps"]?.objectValue?["plan"]?.objectValue?["calls"]?.listValue?.first?.objectValue?["latency_ms"]))
        let stats = try await Self.json(CLI.run(["stats", "--by", "step", "--json"], in: dir.url)).objectValue
        let total = stats?["total"]?.objectValue
        #expect(Self.int(total?["calls"]) == 1)
        #expect(Self.int(total?["latency_ms"]?.objectValue?["p50"]) == planLatency)
        #expect(stats?["groups"]?.listValue?.compactMap { $0.objectValue?["key"] } == ["publishing-report/plan"])
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).stdout == "rebuilt .quire/history.sqlite: 1 run, 1 call\n")
    }
}

extension HistoryFiguresTests {
    /// A finished run of one plain step whose calls cost `costs` (a number, or null when unknown).
    static func manifest(runID: String, startedAt: String, costs: [Value], reusedFrom: String? = nil) -> Value {
        let calls: [Value] = costs.enumerated().map { index, cost in
            [
                "item": .int(index + 1), "status": "succeeded", "provider": "openai", "model": "gpt-4o-mini",
                "parameters": ["temperature": 0.2], "request_sha256": "r", "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
                "latency_ms": 100, "finish_reason": "stop", "retries": 0, "cost_usd": cost, "cache_hit": false,
            ]
        }
        return [
            "format_version": 1, "quire_version": "0.1.0", "run_id": .string(runID),
            "workflow": ["name": "publishing-report", "path": "workflows/publishing-report.yaml", "sha256": "x"],
            "case": nil, "status": "succeeded", "started_at": .string(startedAt), "finished_at": .string(startedAt),
            "inputs": ["topic": "Prices"], "order": ["sections"], "artifacts": [], "resumes": 0,
            "steps": [
                "sections": [
                    "id": "sections", "kind": "prompt-fan-out", "status": "succeeded", "outputs": [],
                    "prompt": ["name": "section-writer", "version": 1, "path": "", "sha256": "t"], "calls": .list(calls),
                ],
            ],
        ]
    }

    @Test func smallCostsKeepTheirDigitsAndFreeIsZero() async throws {
        let dir = try TemporaryDirectory()
        var files = ExampleWorkspace.files
        files["output/publishing-report/20261122-093015-aaaaaa/manifest.json"] = JSONText.encode(
            Self.manifest(runID: "20261122-093015-aaaaaa", startedAt: "2026-11-22T09:30:15.000Z", costs: [0.0000272]), pretty: true)
        files["output/publishing-report/20261122-093016-bbbbbb/manifest.json"] = JSONText.encode(
            Self.manifest(runID: "20261122-093016-bbbbbb", startedAt: "2026-11-22T09:30:16.000Z", costs: [0, 0]), pretty: true)
        try dir.write(files)
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).status == 0)

        let table = try await CLI.run(["runs"], in: dir.url).stdout
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(table)")
        #expect(lines[1].hasPrefix("20261122-093016-bbbbbb") && lines[1].contains(" $0 "), "free: \(table)")
        #expect(lines[2].hasPrefix("20261122-093015-aaaaaa") && lines[2].contains(" $0.0000272 "), "cheap: \(table)")
        // Right-aligned: every row's COST cell ends in the same column as its header.
        let costEnd = try #require(lines[0].range(of: "COST")?.upperBound).utf16Offset(in: lines[0])
        for line in lines.dropFirst() {
            let cell = try #require(line.range(of: "$0")).lowerBound
            let end = line[cell...].firstIndex(of: " ").map { $0.utf16Offset(in: line) }
            #expect(end == costEnd, "\(table)")
        }

        let cheap = try await CLI.run(["show", "20261122-093015"], in: dir.url).stdout
        #expect(cheap.contains(" $0.0000272 "), "\(cheap)")
        #expect(cheap.contains("cost $0.0000272"), "\(cheap)")
        let free = try await CLI.run(["show", "20261122-093016"], in: dir.url).stdout
        #expect(free.contains("cost $0"), "\(free)")
        #expect(!free.contains("$0.0000"), "\(free)")
        let stats = try await CLI.run(["stats"], in: dir.url).stdout
        #expect(stats.contains("$0.0000272"), "\(stats)")
    }
}

extension HistoryFiguresTests {
    @Test func showGivesTheFinishReasonAndEachFailedItemsOwnError() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        HistoryCommandTests.answer(server, titles: ["One", "Two", "Three"])
        let dir = try RunCommandTests.workspace(server: server)
        // The sections are answered in prose (finish reason `stop`), which their `json` post-processor refuses.
        let workflow = try dir.read("workflows/publishing-report.yaml").replacingOccurrences(of: "    post: [trim]\n", with: "    post: [trim, json]\n")
        try dir.write(["workflows/publishing-report.yaml": workflow])
        let run = try await CLI.run(["run", "publishing-report", "--var", "topic=Errors", "--out", "output/e"], in: dir.url)
        #expect(run.status == 1, "\(run.stderr)")
        let manifest = try RunCommandTests.manifest(dir, "output/e")
        let calls = manifest["steps"]?.objectValue?["sections"]?.objectValue?["calls"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(calls.count == 3 && calls.allSatisfy { $0["finish_reason"] == "stop" && $0["status"] == "failed" }, "\(calls)")
        let id = try #require(manifest["run_id"]?.stringValue)

        let show = try await CLI.run(["show", id], in: dir.url).stdout
        let lines = show.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("  CALL ") })
        #expect(header.contains(" STATUS ") && header.contains(" FINISH "), "\(show)")
        let rows = lines.filter { $0.hasPrefix("  sections[") && $0.contains("fake-model") }
        #expect(rows.count == 3, "\(show)")
        for row in rows {
            let cells = row.split(separator: " ")
            #expect(cells[2] == "failed" && cells[6] == "stop", "the status and the finish reason apart: \(row)")
        }
        for item in 1...3 {
            #expect(lines.contains { $0.hasPrefix("  sections[\(item)]: post-processing failed: ") }, "item \(item)'s own error: \(show)")
        }

        let shown = try await Self.json(CLI.run(["show", id, "--json"], in: dir.url))
        let steps = shown.objectValue?["steps"]?.listValue?.compactMap(\.objectValue) ?? []
        let shownCalls = steps.first { $0["id"] == "sections" }?["calls"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(shownCalls.count == 3)
        #expect(shownCalls.allSatisfy { $0["error"]?.stringValue?.hasPrefix("post-processing failed: ") == true }, "\(shownCalls)")
    }
}
