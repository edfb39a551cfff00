import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// `quire run` as a user runs it: the built binary against a fake OpenAI-compatible server.
@Suite("CLI: run", .serialized)
struct RunCommandTests {
    static let planMarker = "You plan short technical reports"

    /// The example workspace in a temporary folder, with a provider row for the fake server.
    static func workspace(server: FakeOpenAIServer, keyVariable: String = "FAKE_API_KEY") throws -> TemporaryDirectory {
        try workspace(baseURL: server.baseURL, keyVariable: keyVariable)
    }

    /// The example workspace with provider `fake` at `baseURL`.
    static func workspace(baseURL: String, keyVariable: String = "FAKE_API_KEY") throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var files = ExampleWorkspace.files
        files["quire.yaml"] = """
            provider: fake
            defaults: {model: fake-model}
            providers:
              fake:
                base_url: \(baseURL)
                api_key_env: \(keyVariable)
                max_retries: 1
                timeout: 5
            """
        try dir.write(files)
        return dir
    }

    static func answerPlans(_ server: FakeOpenAIServer, titles: [String]) {
        server.setResponder { request in
            if request.messages.first?.content.contains(planMarker) == true {
                return FakeResponse(titles.map { "- \($0)" }.joined(separator: "\n"))
            }
            return FakeResponse(FakeReply.defaultReply(to: request.messages))
        }
    }

    /// The manifest as Quire reads it back: manifest.json plus the journal of calls finished since.
    static func manifest(_ dir: TemporaryDirectory, _ folder: String) throws -> [String: Value] {
        try manifest(at: dir.url.appendingPathComponent(folder))
    }

    static func manifest(at url: URL) throws -> [String: Value] {
        try RunStore.loadManifest(folder: RunFolder(url: url, relativePath: url.lastPathComponent)).value.objectValue ?? [:]
    }

    /// Blocks (bounded, 30 s) until `count` items of the run's `sections` step have succeeded, then
    /// kills `process` with SIGKILL and waits for it; returns how many had succeeded. Call it on a
    /// thread that may block (``detached(_:)``).
    static func killAfterSections(_ count: Int, runFolder: URL, process: Process) -> Int {
        let deadline = Date().addingTimeInterval(30)
        var finished = 0
        while Date() < deadline {
            if let manifest = try? manifest(at: runFolder),
               let calls = manifest["steps"]?.objectValue?["sections"]?.objectValue?["calls"]?.listValue {
                finished = calls.filter { $0.objectValue?["status"] == "succeeded" }.count
                if finished >= count { break }
            }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return finished
    }

    @Test func runPrintsTheReportPathAndWritesTheFolder() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answerPlans(server, titles: ["One", "Two"])
        let dir = try Self.workspace(server: server)
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=Testing", "--out", "output/r1"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "output/r1/report.md\n")
        #expect(result.stderr.contains("run "))
        #expect(result.stderr.contains("plan: done in"))
        #expect(result.stderr.contains("sections: running 2 items"))
        #expect(!result.stderr.contains("\u{1B}["), "no escape codes when not on a terminal")
        let report = try dir.read("output/r1/report.md")
        #expect(report.contains("## <a id=\"section-2\"></a>Two"))
        #expect(try Self.manifest(dir, "output/r1")["status"] == "succeeded")
        #expect(server.chatRequestCount == 3)
        // A raw answer is kept beside its output only when post-processing changed it.
        #expect(try dir.read("output/r1/steps/plan.raw.txt") == "- One\n- Two")
        for item in ["001", "002"] {
            let output = try dir.read("output/r1/steps/sections/\(item).txt")
            let raw = try? dir.read("output/r1/steps/sections/\(item).raw.txt")
            #expect(raw != output, "an unchanged answer was written twice")
            #expect(raw == nil || raw!.trimmingCharacters(in: .whitespacesAndNewlines) == output)
        }
    }

    @Test func streamPrintsTokensAsTheyArrive() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answerPlans(server, titles: ["Only"])
        let dir = try Self.workspace(server: server)
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=T", "--stream", "--concurrency", "1", "--out", "output/s"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("[plan] - Only"))
        #expect(result.stdout.contains("[sections[1]] echo: Write the section \"Only\""))
        let streamedAll = server.chatRequests.allSatisfy { $0.isStreaming }
        #expect(streamedAll)
    }

    @Test func invalidInputsExit64BeforeAnyCall() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.workspace(server: server)
        let result = try await CLI.run(["run", "publishing-report"], in: dir.url)
        #expect(result.status == 64)
        #expect(result.stderr.contains("[run.missing-input]"))
        let outside = try await CLI.run(["run", "publishing-report", "--var", "topic=x", "--out", "../escape"], in: dir.url)
        #expect(outside.status == 64)
        #expect(outside.stderr.contains("[run.invalid-out]"))
        #expect(server.chatRequestCount == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.url.deletingLastPathComponent().appendingPathComponent("escape").path))
    }

    @Test func failedStepsExit1AndTheKeyNeverShows() async throws {
        let secret = fakeAPIKey("test-secret-quire")
        let server = FakeOpenAIServer(apiKey: fakeAPIKey("other-key"))
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Self.workspace(server: server)
        try dir.write([".env": "FAKE_API_KEY=\(secret)\n"])
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=T", "--out", "output/f", "--json"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stderr.contains("[provider.authentication]"))
        #expect(result.stderr.contains("FAKE_API_KEY"))
        #expect(result.stderr.contains("--resume"))
        #expect(!result.stderr.contains(secret))
        #expect(!result.stdout.contains(secret))
        // The key from .env was sent (the server echoes what it got in its 401), and scrubbed everywhere.
        #expect(server.chatRequests.first?.header("Authorization") == "Bearer \(secret)")
        for file in FileManager.default.enumerator(atPath: dir.url.appendingPathComponent("output").path)?.allObjects as? [String] ?? [] {
            let text = (try? dir.read("output/\(file)")) ?? ""
            #expect(!text.contains(secret), "\(file) contains the key")
        }
        #expect(try Self.manifest(dir, "output/f")["status"] == "failed")
    }

    @Test func killedRunsResumeWithoutPayingTwice() async throws {
        // Slow answers so the run can be killed part-way.
        // Slow enough (12 items, 2 at a time, 400 ms each) that the kill lands part-way on any machine.
        let server = FakeOpenAIServer(latency: FakeLatency(base: .milliseconds(400), perToken: .zero))
        try await server.start()
        defer { Task { await server.stop() } }
        let titles = (1...12).map { "Part \($0)" }
        Self.answerPlans(server, titles: titles)
        let dir = try Self.workspace(server: server)

        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["run", "publishing-report", "--var", "topic=Kill", "--concurrency", "2", "--out", "output/k"]
        process.currentDirectoryURL = dir.url
        process.environment = ["NO_COLOR": "1", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait (bounded) until at least three sections have finished, then kill -9. Polled with blocking
        // sleeps on a thread of its own, so neither a busy cooperative pool can delay the kill past the
        // end of the run nor the poll hold one of the pool's threads.
        let folder = dir.url.appendingPathComponent("output/k")
        let finishedBeforeKill = try await detached { Self.killAfterSections(3, runFolder: folder, process: process) }
        #expect(finishedBeforeKill >= 3)
        let manifest = try Self.manifest(dir, "output/k")
        #expect(manifest["status"] == "running", "a killed run leaves a manifest that says it did not finish")
        let finishedItems = Set((manifest["steps"]?.objectValue?["sections"]?.objectValue?["calls"]?.listValue ?? [])
            .filter { $0.objectValue?["status"] == "succeeded" }.compactMap { $0.objectValue?["item"] })
        let sentBefore = server.chatRequestCount

        let resumed = try await CLI.run(["run", "publishing-report", "--resume", "k", "--out", "output/k"], in: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout == "output/k/report.md\n")
        // No finished item was asked for again; every unfinished one exactly once more.
        let resent = server.chatRequests.dropFirst(sentBefore).map(\.lastUserMessage)
        for item in finishedItems {
            guard case .int(let n) = item else { continue }
            #expect(!resent.contains { $0.contains("\"Part \(n)\"") }, "item \(n) finished before the kill but was sent again")
        }
        #expect(resent.count == titles.count - finishedItems.count)
        #expect(!resent.contains { $0.contains("Plan a report") }, "the plan finished before the kill")
        let report = try dir.read("output/k/report.md")
        for title in titles { #expect(report.contains(title)) }
        let final = try Self.manifest(dir, "output/k")
        #expect(final["status"] == "succeeded")
        #expect(final["resumes"] == 1)
        // No temporary files are left behind.
        let leftovers = (FileManager.default.enumerator(atPath: dir.url.appendingPathComponent("output/k").path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func resumingARunKilledAfterItsLastManifestWriteTidiesItsFolder() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answerPlans(server, titles: ["One", "Two"])
        let dir = try Self.workspace(server: server)
        let run = try await CLI.run(["run", "publishing-report", "--var", "topic=T", "--out", "output/done"], in: dir.url)
        #expect(run.status == 0, "\(run.stderr)")
        // What a kill -9 between the final manifest write and the end of the command leaves behind.
        let journalLine = #"{"step":"sections","call":{"item":1,"status":"succeeded"}}"# + "\n"
        try dir.write(["output/done/journal.jsonl": journalLine, "output/done/steps/.plan.json.1.tmp": "half"])
        let report = try dir.read("output/done/report.md")
        let sent = server.chatRequestCount

        let resumed = try await CLI.run(["run", "publishing-report", "--resume", "done", "--out", "output/done"], in: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("already succeeded"))
        #expect(server.chatRequestCount == sent)
        let files = FileManager.default.enumerator(atPath: dir.url.appendingPathComponent("output/done").path)?.allObjects as? [String] ?? []
        #expect(!files.contains("journal.jsonl"), "\(files)")
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "\(files)")
        #expect(try dir.read("output/done/report.md") == report)
        #expect(try Self.manifest(dir, "output/done")["status"] == "succeeded")
    }

    @Test func ctrlCStopsMarksInterruptedAndExits130() async throws {
        let server = FakeOpenAIServer(latency: FakeLatency(base: .milliseconds(400), perToken: .zero))
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answerPlans(server, titles: (1...6).map { "S\($0)" })
        let dir = try Self.workspace(server: server)
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["run", "publishing-report", "--var", "topic=Interrupt", "--concurrency", "1", "--out", "output/i"]
        process.currentDirectoryURL = dir.url
        process.environment = ["NO_COLOR": "1"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Polled with blocking sleeps on a thread of its own: a Task.sleep could resume late on a busy
        // cooperative pool, after the run had finished on its own.
        let folder = dir.url.appendingPathComponent("output/i")
        let waited = try await detached { () -> TimeInterval in
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if let manifest = try? Self.manifest(at: folder),
                   manifest["steps"]?.objectValue?["plan"]?.objectValue?["status"] == "succeeded" { break }
                usleep(20_000)
            }
            usleep(100_000)
            kill(process.processIdentifier, SIGINT)
            let start = Date()
            process.waitUntilExit()
            return Date().timeIntervalSince(start)
        }
        #expect(waited < 5, "in-flight requests are cancelled, not waited for")
        #expect(process.terminationStatus == 130)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("--resume"))
        #expect(try Self.manifest(dir, "output/i")["status"] == "interrupted")
        // The request in flight was cancelled: the server saw its connection close before the answer.
        let closeDeadline = Date().addingTimeInterval(5)
        while server.abandonedRequests.isEmpty && Date() < closeDeadline { try await Task.sleep(for: .milliseconds(20)) }
        let abandoned = server.abandonedRequests
        #expect(abandoned.count == 1, "one request was in flight (--concurrency 1): \(abandoned)")
        #expect(abandoned.allSatisfy { server.deliveredUsage[$0] == nil })
        let interrupted = try RunFolderScan.manifest(dir.url.appendingPathComponent("output/i"))
        let finishedItems = Set((interrupted.steps["sections"]?.calls ?? []).filter { $0.status == .succeeded }.compactMap(\.item))
        let sentBefore = server.chatRequestCount

        let resumed = try await CLI.run(["run", "publishing-report", "--resume", "i", "--out", "output/i"], in: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.manifest(dir, "output/i")["status"] == "succeeded")
        // The resume sends only what had not finished, each once.
        let again = server.chatRequests.dropFirst(sentBefore).map(\.lastUserMessage)
        #expect(again.count == 6 - finishedItems.count, "\(again)")
        for n in finishedItems { #expect(!again.contains { $0.contains("\"S\(n)\"") }, "S\(n) finished before Ctrl-C but was sent again") }
        try RunFolderScan.expectComplete(dir.url.appendingPathComponent("output/i"), "after Ctrl-C and --resume")
    }
}
