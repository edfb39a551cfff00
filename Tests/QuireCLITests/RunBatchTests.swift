import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// `quire run --batch` and `--all-cases`: many runs of one workflow in one process.
@Suite("CLI: run --batch", .serialized)
struct RunBatchTests {
    static func runFolders(_ dir: TemporaryDirectory) throws -> [String] {
        let root = dir.url.appendingPathComponent("output/publishing-report")
        return try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
    }

    @Test func everyEntryBecomesItsOwnRunWithItsOwnInputs() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        RunCommandTests.answerPlans(server, titles: ["One", "Two"])
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write(["topics.yaml": """
            - topic: Alpha
            - {topic: Beta, audience: DBAs}
            - case: sqlite-wal
            - case: swift-concurrency
              audience: students
            """])
        let result = try await CLI.run(["run", "publishing-report", "--batch", "topics.yaml", "--var", "audience=everyone"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let reports = result.stdout.split(separator: "\n").map(String.init)
        #expect(reports.count == 4)
        #expect(reports.allSatisfy { $0.hasPrefix("output/publishing-report/") && $0.hasSuffix("/report.md") })
        #expect(Set(reports).count == 4, "each run has its own folder")
        #expect(try Self.runFolders(dir).count == 4)
        // 4 runs × (1 plan + 2 sections); the report is local.
        #expect(server.chatRequestCount == 12)
        #expect(result.stderr.contains("4 of 4 runs succeeded"))

        // Inputs, in entry order: --var gives every run a value and wins over the entry, as it wins over a vars file.
        var seen: [(String, String, String?)] = []
        for report in reports {
            let folder = String(report.dropLast("/report.md".count))
            let manifest = try RunCommandTests.manifest(dir, folder)
            #expect(manifest["status"] == "succeeded")
            let inputs = manifest["inputs"]?.objectValue ?? [:]
            seen.append((inputs["topic"]?.stringValue ?? "", inputs["audience"]?.stringValue ?? "", manifest["case"]?.stringValue))
            let text = try dir.read(report)
            #expect(text.hasPrefix("# \(inputs["topic"]?.stringValue ?? "?")\n"))
        }
        #expect(seen.map(\.0) == ["Alpha", "Beta", "How SQLite's write-ahead log works", "Structured concurrency in Swift"])
        #expect(seen.allSatisfy { $0.1 == "everyone" })
        #expect(seen.map(\.2) == [nil, nil, "sqlite-wal", "swift-concurrency"])

        // Every run of the batch is in the history, with its calls.
        let runs = try await CLI.run(["runs", "--json"], in: dir.url)
        #expect(runs.status == 0, "\(runs.stderr)")
        guard case .list(let rows) = try JSONText.decode(runs.stdout) else {
            Issue.record("quire runs --json did not print a list: \(runs.stdout)")
            return
        }
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0.objectValue?["status"] == "succeeded" }, "\(rows)")
    }

    @Test func allCasesRunsEveryCaseAndJSONListsTheManifests() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        RunCommandTests.answerPlans(server, titles: ["Only"])
        let dir = try RunCommandTests.workspace(server: server)
        let result = try await CLI.run(["run", "publishing-report", "--all-cases", "--json"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        guard case .list(let manifests) = try JSONText.decode(result.stdout) else {
            Issue.record("--json did not print a list: \(result.stdout)")
            return
        }
        #expect(manifests.compactMap { $0.objectValue?["case"]?.stringValue } == ["swift-concurrency", "sqlite-wal"])
        #expect(manifests.allSatisfy { $0.objectValue?["status"] == "succeeded" })
        #expect(server.chatRequestCount == 4)
    }

    @Test func badEntriesAreAllReportedWithTheirLinesBeforeAnyCall() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write(["batch.yaml": """
            - topic: Fine
            - audience: no topic here
            - topic: Also fine
              colour: blue
            - just a string
            """])
        let result = try await CLI.run(["run", "publishing-report", "--batch", "batch.yaml"], in: dir.url)
        #expect(result.status == 64)
        #expect(result.stderr.contains("batch.yaml:5:3: error: batch entry 4 must be a mapping"), "\(result.stderr)")
        #expect(server.chatRequestCount == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("output/publishing-report").path))

        try dir.write(["batch.yaml": "- topic: Fine\n- audience: no topic here\n- {topic: Also fine, colour: blue}\n"])
        let inputs = try await CLI.run(["run", "publishing-report", "--batch", "batch.yaml"], in: dir.url)
        #expect(inputs.status == 64)
        #expect(inputs.stderr.contains("batch entry 2: "), "\(inputs.stderr)")
        #expect(inputs.stderr.contains("[run.missing-input]"))
        #expect(inputs.stderr.contains("batch entry 3: "))
        #expect(inputs.stderr.contains("colour"))
        #expect(server.chatRequestCount == 0)

        try dir.write(["runs.jsonl": "{\"topic\": \"A\"}\n{\"topic\": \n"])
        let jsonl = try await CLI.run(["run", "publishing-report", "--batch", "runs.jsonl"], in: dir.url)
        #expect(jsonl.status == 64)
        #expect(jsonl.stderr.contains("runs.jsonl:2:"), "\(jsonl.stderr)")

        let combined = try await CLI.run(["run", "publishing-report", "--batch", "runs.jsonl", "--out", "output/x"], in: dir.url)
        #expect(combined.status == 64)
        #expect(combined.stderr.contains("--out"))
        let missing = try await CLI.run(["run", "publishing-report", "--batch", "nope.yaml"], in: dir.url)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("cannot read the batch file 'nope.yaml'"))
        #expect(server.chatRequestCount == 0)
    }

    @Test func aFailedRunFailsTheBatchAndNamesItsResumeCommand() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        RunCommandTests.answerPlans(server, titles: ["One"])
        server.injectFault(.badRequest(message: "bad request", code: nil), times: 5) { request in
            request.messages.last?.content.contains("Broken") == true
        }
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write(["batch.jsonl": "{\"topic\": \"Works\"}\n{\"topic\": \"Broken\"}\n"])
        let result = try await CLI.run(["run", "publishing-report", "--batch", "batch.jsonl"], in: dir.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 1, "only the finished run's report is printed")
        #expect(result.stderr.contains("1 of 2 runs succeeded"))
        #expect(result.stderr.contains("run 2: plan: failed"))
        #expect(result.stderr.contains("quire run publishing-report --resume "))
        let failed = try Self.runFolders(dir).filter { folder in
            (try? RunCommandTests.manifest(dir, "output/publishing-report/\(folder)")["status"]) == "failed"
        }
        #expect(failed.count == 1)
    }
}
