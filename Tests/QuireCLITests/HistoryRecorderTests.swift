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
}
