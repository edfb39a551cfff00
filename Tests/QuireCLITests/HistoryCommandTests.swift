import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// The run history as a user meets it: `quire run` records, `quire runs|show|stats|diff|history rebuild` read.
@Suite("CLI: run history", .serialized)
struct HistoryCommandTests {
    /// Sums of what the fake server reported, to compare with what the history says.
    final class Reported: @unchecked Sendable {
        private let lock = NSLock()
        private var prompt = 0, completion = 0, calls = 0

        func add(_ usage: FakeUsage) { lock.withLock { prompt += usage.prompt; completion += usage.completion; calls += 1 } }
        var totals: (prompt: Int, completion: Int, calls: Int) { lock.withLock { (prompt, completion, calls) } }
    }

    /// Plans with `titles`, every answer with its own usage figures (prompt 100 + words, completion 7 + n).
    static func answer(_ server: FakeOpenAIServer, titles: [String], reported: Reported? = nil) {
        server.setResponder { request in
            let content: String
            if request.messages.first?.content.contains(RunCommandTests.planMarker) == true {
                content = titles.map { "- \($0)" }.joined(separator: "\n")
            } else {
                content = FakeReply.defaultReply(to: request.messages)
            }
            let usage = FakeUsage(prompt: 100 + request.lastUserMessage.split(separator: " ").count, completion: 7 + (request.chatIndex ?? 0) % 5)
            reported?.add(usage)
            return FakeResponse(content, usage: usage)
        }
    }

    static func json(_ result: CLI.Result) throws -> Value {
        try JSONText.decode(result.stdout)
    }

    static func int(_ value: Value?) -> Int? {
        if case .int(let i) = value { return i }
        return nil
    }

    /// The manifests under `output/` and the given folders, as Quire reads them back (journal included).
    static func manifests(_ dir: TemporaryDirectory, _ folders: [String]) throws -> [[String: Value]] {
        try folders.map { try RunCommandTests.manifest(dir, $0) }
    }

    @Test func everyRunIsRecordedAndStatsAgreeWithTheManifests() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let reported = Reported()
        Self.answer(server, titles: ["One", "Two", "Three"], reported: reported)
        // One retried call: its retries show in the stats.
        server.injectFault(.serverError(503), at: 1)
        let dir = try RunCommandTests.workspace(server: server)

        let first = try await CLI.run(["run", "publishing-report", "--var", "topic=History"], in: dir.url)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try await CLI.run(["run", "publishing-report", "--var", "topic=Elsewhere", "--out", "elsewhere/r2"], in: dir.url)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!first.stderr.contains("warning"), "\(first.stderr)")

        // The file and its folder are the owner's alone.
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.url.appendingPathComponent(".quire/history.sqlite").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: dir.url.appendingPathComponent(".quire").path)
        #expect((folderAttributes[.posixPermissions] as? Int) == 0o700)

        // quire runs: newest first, the figures of each manifest.
        let runs = try await Self.json(CLI.run(["runs", "--json"], in: dir.url)).listValue ?? []
        #expect(runs.count == 2)
        let firstFolder = try #require(runs.last?.objectValue?["folder"]?.stringValue)
        #expect(firstFolder.hasPrefix("output/publishing-report/"))
        #expect(runs.first?.objectValue?["folder"] == "elsewhere/r2")
        let manifests = try Self.manifests(dir, [firstFolder, "elsewhere/r2"])
        for (run, manifest) in zip(runs.reversed(), manifests) {
            let row = try #require(run.objectValue)
            #expect(row["run_id"] == manifest["run_id"])
            #expect(row["status"] == "succeeded")
            #expect(row["calls"] == manifest["calls"])
            #expect(row["total_tokens"] == manifest["usage"]?.objectValue?["total_tokens"])
            #expect(row["prompt_tokens"] == manifest["usage"]?.objectValue?["prompt_tokens"])
            #expect(row["retries"] == manifest["retries"])
            #expect(row["cost_usd"] == .null)
            #expect(row["abandoned"] == false)
            #expect(Self.int(row["duration_ms"]) != nil)
        }

        // quire stats: totals equal the manifests' sums and what the server reported.
        let stats = try await Self.json(CLI.run(["stats", "--json"], in: dir.url))
        let total = try #require(stats.objectValue?["total"]?.objectValue)
        let sum = { (key: String) in manifests.reduce(0) { $0 + (Self.int($1["usage"]?.objectValue?[key]) ?? 0) } }
        let sent = reported.totals
        #expect(Self.int(total["calls"]) == manifests.reduce(0) { $0 + (Self.int($1["calls"]) ?? 0) })
        #expect(Self.int(total["calls"]) == 8)
        #expect(Self.int(total["prompt_tokens"]) == sum("prompt_tokens"))
        #expect(Self.int(total["completion_tokens"]) == sum("completion_tokens"))
        #expect(Self.int(total["prompt_tokens"]) == sent.prompt)
        #expect(Self.int(total["completion_tokens"]) == sent.completion)
        #expect(sent.calls == 8, "the 503 was answered before the responder; the retry was answered")
        #expect(Self.int(total["retries"]) == 1)
        #expect(Self.int(total["retries"]) == manifests.reduce(0) { $0 + (Self.int($1["retries"]) ?? 0) })
        #expect(total["cost_usd"] == .null)
        #expect(Self.int(total["unknown_cost_calls"]) == 8)
        // Every call's latency is in the manifests; p50 and p95 are two of them.
        let latencies = manifests.flatMap { m in
            (m["steps"]?.objectValue?.values.flatMap { $0.objectValue?["calls"]?.listValue ?? [] } ?? []).compactMap { Self.int($0.objectValue?["latency_ms"]) }
        }.sorted()
        let latency = total["latency_ms"]?.objectValue
        #expect(Self.int(latency?["p50"]) == CallStatistics.percentile(50, ofSorted: latencies))
        #expect(Self.int(latency?["p95"]) == CallStatistics.percentile(95, ofSorted: latencies))

        let bySteps = try await Self.json(CLI.run(["stats", "--by", "step", "--json"], in: dir.url))
        let groups = bySteps.objectValue?["groups"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(groups.map { $0["key"] } == ["publishing-report/plan", "publishing-report/sections"])
        #expect(groups.map { Self.int($0["calls"]) } == [2, 6])
        let byPrompt = try await Self.json(CLI.run(["stats", "--by", "prompt", "--json"], in: dir.url))
        #expect(byPrompt.objectValue?["groups"]?.listValue?.compactMap { $0.objectValue?["key"]?.stringValue } == ["publishing-plan@v2", "section-writer@v1"])
        let future = try await Self.json(CLI.run(["stats", "--since", "2999-01-01", "--json"], in: dir.url))
        #expect(Self.int(future.objectValue?["total"]?.objectValue?["calls"]) == 0)
        let recent = try await Self.json(CLI.run(["stats", "--since", "1h", "--json"], in: dir.url))
        #expect(Self.int(recent.objectValue?["total"]?.objectValue?["calls"]) == 8)
        let badSince = try await CLI.run(["stats", "--since", "last week"], in: dir.url)
        #expect(badSince.status == 64)
        #expect(badSince.stderr.contains("--since 'last week'"))

        // The text forms.
        let table = try await CLI.run(["runs"], in: dir.url)
        #expect(table.status == 0)
        #expect(table.stdout.hasPrefix("RUN "))
        #expect(table.stdout.contains("succeeded"))
        let statsTable = try await CLI.run(["stats"], in: dir.url)
        #expect(statsTable.stdout.contains("fake-model"))
        #expect(statsTable.stdout.contains("total"))

        // quire show: the steps, their prompts and every call.
        let id = try #require(runs.last?.objectValue?["run_id"]?.stringValue)
        let show = try await Self.json(CLI.run(["show", id, "--json"], in: dir.url))
        let steps = show.objectValue?["steps"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(steps.map { $0["id"] } == ["plan", "sections", "report"])
        #expect(steps[0]["prompt"]?.objectValue?["version"] == 2)
        #expect(steps[0]["prompt"]?.objectValue?["sha256"] == manifests[0]["steps"]?.objectValue?["plan"]?.objectValue?["prompt"]?.objectValue?["sha256"])
        #expect(steps[1]["calls"]?.listValue?.count == 3)
        #expect(steps[1]["calls"]?.listValue?.first?.objectValue?["finish_reason"] == "stop")
        #expect(steps[1]["calls"]?.listValue?.first?.objectValue?["cost_usd"] == .null)
        // The shortest prefix from 17 characters on that the other run (maybe started in the same second) does not share.
        let other = try #require(runs.first?.objectValue?["run_id"]?.stringValue)
        let prefix = try #require((17...id.count).map { String(id.prefix($0)) }.first { !other.hasPrefix($0) })
        let showText = try await CLI.run(["show", prefix], in: dir.url)
        #expect(showText.status == 0, "a unique prefix is enough: \(showText.stderr)")
        #expect(showText.stdout.contains("publishing-plan@v2 sha256:"))
        #expect(showText.stdout.contains("sections[3]"))
        let unknown = try await CLI.run(["show", "20200101-000000-0000"], in: dir.url)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no run '20200101-000000-0000'"))

        // Rebuild from the run folders (the --out one included) gives the same history, twice over.
        let before = try await CLI.run(["runs", "--json"], in: dir.url).stdout
        let rebuilt = try await CLI.run(["history", "rebuild"], in: dir.url)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout == "rebuilt .quire/history.sqlite: 2 runs, 8 calls\n")
        #expect(try await CLI.run(["runs", "--json"], in: dir.url).stdout == before)
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).stdout == rebuilt.stdout)
        #expect(try await CLI.run(["runs", "--json"], in: dir.url).stdout == before)
        #expect(try await CLI.run(["stats", "--json"], in: dir.url).stdout == CLI.run(["stats", "--json"], in: dir.url).stdout)
        // Without the database, rebuild finds the runs under output/ (the --out folder elsewhere is not known).
        try FileManager.default.removeItem(at: dir.url.appendingPathComponent(".quire/history.sqlite"))
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).stdout == "rebuilt .quire/history.sqlite: 1 run, 4 calls\n")
    }

    @Test func diffComparesOutputsPromptsAndParametersAndExitsLikeDiff() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        // Plans that depend on the topic, so two topics differ from the first step on.
        server.setResponder { request in
            if request.messages.first?.content.contains(RunCommandTests.planMarker) == true {
                return FakeResponse(request.lastUserMessage.contains("Other") ? "- Alpha\n- Beta" : "- One\n- Two")
            }
            return FakeResponse(FakeReply.defaultReply(to: request.messages))
        }
        let dir = try RunCommandTests.workspace(server: server)
        for (folder, topic) in [("output/a", "Same"), ("output/b", "Same"), ("output/c", "Other")] {
            let run = try await CLI.run(["run", "publishing-report", "--var", "topic=\(topic)", "--out", folder], in: dir.url)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let ids = try ["output/a", "output/b", "output/c"].map { try #require(RunCommandTests.manifest(dir, $0)["run_id"]?.stringValue) }

        let same = try await CLI.run(["diff", ids[0], ids[1]], in: dir.url)
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("identical"))

        let different = try await CLI.run(["diff", ids[0], ids[2]], in: dir.url)
        #expect(different.status == 1)
        #expect(different.stdout.contains("  topic: \"Same\" → \"Other\""))
        #expect(different.stdout.contains("--- \(ids[0])/steps/plan.json"), "\(different.stdout)")
        #expect(different.stdout.contains("+++ \(ids[2])/report.md"))

        let json = try await CLI.run(["diff", ids[0], ids[2], "--json"], in: dir.url)
        #expect(json.status == 1)
        let value = try Self.json(json).objectValue
        #expect(value?["identical"] == false)
        #expect(value?["steps"]?.listValue?.count == 3)

        // A run the history does not know (made before it existed) is found under output/.
        let copy = "output/publishing-report/20200101-000000-0001"
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("output/publishing-report"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: dir.url.appendingPathComponent("output/a"), to: dir.url.appendingPathComponent(copy))
        let unrecorded = try await CLI.run(["diff", ids[0], "20200101-000000-0001"], in: dir.url)
        #expect(unrecorded.status == 0, "\(unrecorded.stdout)\(unrecorded.stderr)")

        let missing = try await CLI.run(["diff", ids[0], "nope"], in: dir.url)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no run 'nope'"))
    }

    @Test func aKilledRunKeepsItsRowAndTheHistoryFollowsTheManifest() async throws {
        let server = FakeOpenAIServer(latency: FakeLatency(base: .milliseconds(400), perToken: .zero))
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: (1...12).map { "Part \($0)" })
        let dir = try RunCommandTests.workspace(server: server)

        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["run", "publishing-report", "--var", "topic=Kill", "--concurrency", "2", "--out", "output/k"]
        process.currentDirectoryURL = dir.url
        process.environment = ["NO_COLOR": "1", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let folder = dir.url.appendingPathComponent("output/k")
        let finished = try await detached { RunCommandTests.killAfterSections(3, runFolder: folder, process: process) }
        #expect(finished >= 3)

        let manifest = try RunCommandTests.manifest(dir, "output/k")
        #expect(manifest["status"] == "running")
        let runs = try await Self.json(CLI.run(["runs", "--json"], in: dir.url)).listValue ?? []
        #expect(runs.count == 1)
        let row = try #require(runs.first?.objectValue)
        #expect(row["run_id"] == manifest["run_id"])
        #expect(row["status"] == "running")
        #expect(row["abandoned"] == true, "the process that wrote it is gone")
        #expect(row["finished_at"] == .null)
        // The history has every call the manifest and journal have, not only those of finished steps.
        #expect(row["calls"] == manifest["calls"])
        #expect(Self.int(row["calls"]).map { $0 >= 4 } == true)
        #expect(row["total_tokens"] == manifest["usage"]?.objectValue?["total_tokens"])
        let text = try await CLI.run(["runs"], in: dir.url)
        #expect(text.stdout.contains("abandoned"))

        let before = try await CLI.run(["runs", "--json"], in: dir.url).stdout
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).status == 0)
        #expect(try await CLI.run(["runs", "--json"], in: dir.url).stdout == before, "rebuild keeps the process id, so the run stays abandoned")

        // Resumed to the end, the same row says succeeded.
        let resumed = try await CLI.run(["run", "publishing-report", "--resume", "k", "--out", "output/k"], in: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try await Self.json(CLI.run(["runs", "--json"], in: dir.url)).listValue ?? []
        #expect(after.count == 1)
        #expect(after.first?.objectValue?["status"] == "succeeded")
        #expect(after.first?.objectValue?["resumes"] == 1)
        #expect(try after.first?.objectValue?["calls"] == RunCommandTests.manifest(dir, "output/k")["calls"])
    }

    /// Manifests with per-call `cost_usd` (a number or null) and `cache_hit`, as runs with prices write them.
    @Test func costAndCacheHitsComeFromTheManifestKeys() async throws {
        let dir = try TemporaryDirectory()
        var files = ExampleWorkspace.files
        func call(_ item: Int?, model: String, cost: Value, cache: Bool, latency: Int) -> Value {
            var o: [String: Value] = [
                "status": "succeeded", "provider": "openai", "model": .string(model), "parameters": ["temperature": 0.2],
                "request_sha256": "r", "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
                "latency_ms": .int(latency), "finish_reason": "stop", "retries": 0, "cost_usd": cost, "cache_hit": .bool(cache),
            ]
            if let item { o["item"] = .int(item) }
            return .object(o)
        }
        let manifest: Value = [
            "format_version": 1, "quire_version": "0.1.0", "run_id": "20261122-093015-3f2a",
            "workflow": ["name": "publishing-report", "path": "workflows/publishing-report.yaml", "sha256": "x"],
            "case": nil, "status": "succeeded", "started_at": "2026-11-22T09:30:15.000Z", "finished_at": "2026-11-22T09:30:19.500Z",
            "inputs": ["topic": "Prices"], "order": ["plan", "sections"], "artifacts": [], "resumes": 0, "cost_usd": 0.75,
            "steps": [
                "plan": [
                    "id": "plan", "kind": "prompt", "status": "succeeded", "outputs": [],
                    "prompt": ["name": "publishing-plan", "version": 2, "path": "", "sha256": "s"],
                    "calls": [call(nil, model: "gpt-4o-mini", cost: 0.25, cache: false, latency: 900)],
                ],
                "sections": [
                    "id": "sections", "kind": "prompt-fan-out", "status": "succeeded", "outputs": [],
                    "prompt": ["name": "section-writer", "version": 1, "path": "", "sha256": "t"],
                    "calls": [
                        call(1, model: "gpt-4o-mini", cost: 0.5, cache: true, latency: 3),
                        call(2, model: "my-local-llama", cost: .null, cache: false, latency: 400),
                    ],
                ],
            ],
        ]
        files["output/publishing-report/20261122-093015-3f2a/manifest.json"] = JSONText.encode(manifest, pretty: true)
        try dir.write(files)
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).stdout == "rebuilt .quire/history.sqlite: 1 run, 3 calls\n")

        let run = try await #require(try Self.json(CLI.run(["runs", "--json"], in: dir.url)).listValue?.first?.objectValue)
        #expect(run["cost_usd"] == 0.75)
        #expect(run["unknown_cost_calls"] == 1)
        #expect(run["cache_hits"] == 1)
        #expect(run["duration_ms"] == 4500)
        let table = try await CLI.run(["runs"], in: dir.url).stdout
        #expect(table.contains("$0.75+"), "\(table)")
        #expect(table.contains("4.50s"))

        let stats = try await Self.json(CLI.run(["stats", "--json"], in: dir.url)).objectValue
        let groups = stats?["groups"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(groups.map { $0["key"] } == ["gpt-4o-mini", "my-local-llama"])
        #expect(groups[0]["cost_usd"] == 0.75)
        #expect(groups[0]["cache_hits"] == 1)
        #expect(groups[1]["cost_usd"] == .null)
        #expect(groups[1]["unknown_cost_calls"] == 1)
        let statsText = try await CLI.run(["stats"], in: dir.url).stdout
        #expect(statsText.contains("—"))

        let show = try await CLI.run(["show", "20261122-093015-3f2a"], in: dir.url).stdout
        #expect(show.contains("sections[1]"))
        #expect(show.contains("hit"))
        #expect(show.contains("cost $0.75+ (1 call of unknown cost)"))
    }

    @Test func lookingAtAWorkspaceWithoutAHistoryLeavesNothingBehind() async throws {
        let dir = try TemporaryDirectory()
        try dir.write(["quire.yaml": "concurrency: 2\n"])
        let runs = try await CLI.run(["runs"], in: dir.url)
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stderr.contains("no runs in .quire/history.sqlite"), "\(runs.stderr)")
        let json = try await CLI.run(["runs", "--json"], in: dir.url)
        #expect(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(json.stdout)")
        let stats = try await CLI.run(["stats"], in: dir.url)
        #expect(stats.status == 0)
        #expect(stats.stderr.contains("no model calls"), "\(stats.stderr)")
        // A span too large for the clock is a usage error, not an arithmetic overflow (it crashed once).
        let huge = try await CLI.run(["stats", "--since", "99999999999999d"], in: dir.url)
        #expect(huge.status == 64, "\(huge.stderr)")
        #expect(huge.stderr.contains("--since '99999999999999d' is not a date"), "\(huge.stderr)")
        let show = try await CLI.run(["show", "20261122-093015-3f2a1c"], in: dir.url)
        #expect(show.status == 64)
        #expect(show.stderr.contains("history.unknown-run"), "\(show.stderr)")
        let cache = try await CLI.run(["cache", "info"], in: dir.url)
        #expect(cache.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["quire.yaml"], "no .quire/ made by looking")
    }

    /// Outside any workspace, every command that reads one says so (exit 64) instead of finding nothing
    /// and passing, and leaves nothing behind.
    @Test func outsideAWorkspaceCommandsSaySoAndLeaveNothingBehind() async throws {
        let dir = try TemporaryDirectory()
        for args in [["validate"], ["list"], ["runs"], ["stats"], ["show", "20261122-093015-3f2a1c"], ["cache", "info"],
                     ["history", "rebuild"], ["run", "publishing-report"], ["test"], ["prompts", "bump", "outline"]] {
            let result = try await CLI.run(args, in: dir.url)
            #expect(result.status == 64, "\(args): \(result.stderr)")
            #expect(result.stderr.contains("error: no Quire workspace in "), "\(args): \(result.stderr)")
            #expect(result.stderr.contains("[workspace.not-found]"), "\(args): \(result.stderr)")
        }
        let missing = try await CLI.run(["validate", "-C", "no-such-folder"], in: dir.url)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("error: -C no-such-folder: no such folder [workspace.not-found]"), "\(missing.stderr)")
        try dir.write(["a-file": "x"])
        let file = try await CLI.run(["runs", "-C", "a-file"], in: dir.url)
        #expect(file.status == 64)
        #expect(file.stderr.contains("-C a-file: not a folder"), "\(file.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["a-file"], "nothing made by looking")
    }

    @Test func aDamagedHistoryNamesTheFileAndNeverFailsARun() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["One"])
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write([".quire/history.sqlite": String(repeating: "this is not a database\n", count: 200)])

        let runs = try await CLI.run(["runs"], in: dir.url)
        #expect(runs.status == 1)
        #expect(runs.stderr.contains(".quire/history.sqlite"))
        #expect(runs.stderr.contains("quire history rebuild"))

        let run = try await CLI.run(["run", "publishing-report", "--var", "topic=Damaged", "--out", "output/d"], in: dir.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning"))
        #expect(run.stderr.contains(".quire/history.sqlite"))
        #expect(try RunCommandTests.manifest(dir, "output/d")["status"] == "succeeded")

        let rebuilt = try await CLI.run(["history", "rebuild"], in: dir.url)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stderr.contains(".quire/history.sqlite.damaged"))
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(".quire/history.sqlite.damaged").path))
        let after = try await Self.json(CLI.run(["runs", "--json"], in: dir.url)).listValue ?? []
        #expect(after.count == 1)
        #expect(after.first?.objectValue?["status"] == "succeeded")
    }

    @Test func aLockedHistoryNamesTheFileAndNeverFailsARun() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["One"])
        let dir = try RunCommandTests.workspace(server: server)
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).status == 0)

        // Another process holds SQLite's write lock until the test removes a file (60 s at most).
        let release = dir.url.appendingPathComponent("release-lock")
        try Data().write(to: release)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", """
            import os, sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            deadline = time.time() + 60
            while os.path.exists(sys.argv[2]) and time.time() < deadline:
                time.sleep(0.05)
            """, dir.url.appendingPathComponent(".quire/history.sqlite").path, release.path]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer {
            try? FileManager.default.removeItem(at: release)
            holder.waitUntilExit()
        }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        try #require(line.hasPrefix("locked"), "the lock holder did not start: \(line)")

        let run = try await CLI.run(["run", "publishing-report", "--var", "topic=Locked", "--out", "output/l"], in: dir.url)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: the run history .quire/history.sqlite is locked by another process"), "\(run.stderr)")
        #expect(run.stderr.contains("this run goes on without it"))
        #expect(try RunCommandTests.manifest(dir, "output/l")["status"] == "succeeded")

        let rebuild = try await CLI.run(["history", "rebuild"], in: dir.url)
        #expect(rebuild.status == 1)
        #expect(rebuild.stderr.contains("the run history .quire/history.sqlite is locked"), "\(rebuild.stderr)")

        try FileManager.default.removeItem(at: release)
        holder.waitUntilExit()
        #expect(try await CLI.run(["history", "rebuild"], in: dir.url).stdout == "rebuilt .quire/history.sqlite: 1 run, 2 calls\n")
    }

    @Test func twentyRunsAtOnceAllLandInTheHistory() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["One", "Two"])
        let dir = try RunCommandTests.workspace(server: server)
        let root = dir.url
        let results = try await withThrowingTaskGroup(of: CLI.Result.self) { group in
            for n in 1...20 {
                group.addTask {
                    try await CLI.run(["run", "publishing-report", "--var", "topic=Parallel \(n)", "--out", "output/p\(n)"], in: root, timeout: 180)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 20)
        for result in results {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("warning"), "\(result.stderr)")
        }
        let runs = try await Self.json(CLI.run(["runs", "--limit", "50", "--json"], in: dir.url)).listValue ?? []
        #expect(runs.count == 20)
        #expect(runs.allSatisfy { $0.objectValue?["status"] == "succeeded" && $0.objectValue?["calls"] == 3 })
        let stats = try await Self.json(CLI.run(["stats", "--json"], in: dir.url))
        #expect(Self.int(stats.objectValue?["total"]?.objectValue?["calls"]) == 60)
    }
}
