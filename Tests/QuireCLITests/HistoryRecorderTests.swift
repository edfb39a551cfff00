import Foundation
import QuireCore
import QuireHistory
import Synchronization
import Testing

/// The recorder writes what was recorded while it was busy together: whatever is merged, the history
/// must end as the last manifest of each run says, with every step that changed on the way.
@Suite("History recorder")
struct HistoryRecorderTests {
    private func manifest(_ runID: String) -> RunManifest {
        RunManifest(
            quireVersion: "test", runID: runID, workflow: "w", workflowPath: "workflows/w.yaml", workflowSHA256: "",
            caseName: nil, startedAt: "2026-12-06T04:00:00.000Z", inputs: [:], order: ["plan", "sections"])
    }

    private func step(_ id: String, _ status: StepRecord.Status, calls items: [Int?]) -> StepRecord {
        var record = StepRecord(
            id: id, kind: items.count > 1 ? "prompt-fan-out" : "prompt", status: status,
            prompt: PromptStamp(name: id, version: 1, path: "prompts/\(id)/v1.prompt", sha256: ""))
        record.calls = items.map {
            CallRecord(item: $0, status: .succeeded, provider: "fake", model: "m", parameters: [:], requestSHA256: "h")
        }
        return record
    }

    @Test func everyRunEndsAsItsLastManifestWithEveryChangedStep() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quire-recorder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let warnings = Mutex<[String]>([])
        let recorder = HistoryRecorder(workspaceRoot: root, pid: 42) { id, message in
            warnings.withLock { $0.append("\(id): \(message)") }
        }

        // Two runs, recorded interleaved and faster than SQLite writes them, so that some are merged.
        for runID in ["run-a", "run-b"] {
            var run = manifest(runID)
            run.steps["plan"] = step("plan", .running, calls: [])
            recorder.record(manifest: run.value, folder: "output/\(runID)", changedSteps: ["plan"])
        }
        for runID in ["run-a", "run-b"] {
            var run = manifest(runID)
            run.steps["plan"] = step("plan", .succeeded, calls: [nil])
            recorder.record(manifest: run.value, folder: "output/\(runID)", changedSteps: ["plan"])
            run.steps["sections"] = step("sections", .succeeded, calls: [1, 2, 3])
            recorder.record(manifest: run.value, folder: "output/\(runID)", changedSteps: ["sections"])
            run.status = .succeeded
            run.finishedAt = "2026-12-06T04:00:01.000Z"
            recorder.record(manifest: run.value, folder: "output/\(runID)", changedSteps: [])
        }
        recorder.flush()
        #expect(warnings.withLock { $0 } == [])

        let database = try HistoryDatabase.open(workspaceRoot: root)
        for runID in ["run-a", "run-b"] {
            let record = try #require(try database.record(runID: runID))
            #expect(record.run.status == "succeeded")
            #expect(record.run.durationMilliseconds == 1000)
            #expect(record.run.calls == 4)
            #expect(record.run.pid == 42)
            #expect(record.steps.map(\.stepID) == ["plan", "sections"])
            #expect(record.steps.map(\.status) == ["succeeded", "succeeded"])
            #expect(record.calls.map(\.item) == [nil, 1, 2, 3])
        }
    }

    @Test func aVersion1HistoryIsMigratedAndKeepsReuseAndCallErrors() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quire-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        // A history as the first schema made it: without the v2 columns, and v2 not applied.
        _ = try HistoryDatabase.open(workspaceRoot: root)
        let downgrade = Process()
        downgrade.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        downgrade.arguments = ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.execute("ALTER TABLE steps DROP COLUMN reused_from")
            c.execute("ALTER TABLE calls DROP COLUMN error")
            c.execute("DELETE FROM grdb_migrations WHERE identifier = 'v2'")
            c.commit()
            """, root.appendingPathComponent(HistoryDatabase.relativePath).path]
        try downgrade.run()
        downgrade.waitUntilExit()
        try #require(downgrade.terminationStatus == 0)

        var run = manifest("run-r")
        var plan = step("plan", .succeeded, calls: [])
        plan.reusedFrom = "run-q"
        run.steps["plan"] = plan
        var sections = step("sections", .failed, calls: [1, 2])
        sections.calls[0].status = .failed
        sections.calls[0].error = "post-processing failed: not JSON"
        run.steps["sections"] = sections
        let database = try HistoryDatabase.open(workspaceRoot: root)
        try database.write(try HistoryRecord(manifest: run.value, folder: "output/run-r"))
        let record = try #require(try database.record(runID: "run-r"))
        #expect(record.steps.first { $0.stepID == "plan" }?.reusedFrom == "run-q")
        #expect(record.steps.first { $0.stepID == "sections" }?.reusedFrom == nil)
        #expect(record.calls.map(\.error) == ["post-processing failed: not JSON", nil])
    }
}
