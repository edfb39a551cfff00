import Foundation
import QuireCore
import QuireRunner
import Testing

/// The journal of finished calls after a process died part-way through appending to it.
@Suite("Run journal")
struct RunJournalTests {
    /// A run whose only step, `sections`, is running; the folder is removed afterwards.
    private func withRun(_ body: (RunFolder, RunManifest) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quire-journal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var manifest = RunManifest(
            quireVersion: "test", runID: "run", workflow: "w", workflowPath: "workflows/w.yaml", workflowSHA256: "",
            caseName: nil, startedAt: "now", inputs: [:], order: ["sections"])
        manifest.steps["sections"] = StepRecord(
            id: "sections", kind: "prompt-fan-out", status: .running, prompt: PromptStamp(name: "p", version: 1, path: "", sha256: ""))
        try await body(RunFolder(url: root, relativePath: "run"), manifest)
    }

    private func call(_ item: Int, _ status: StepRecord.Status = .succeeded) -> CallRecord {
        CallRecord(item: item, status: status, provider: "fake", model: "m", parameters: [:], requestSHA256: "h\(item)")
    }

    @Test func anEntryAfterAPartialLineIsNotLost() async throws {
        try await withRun { folder, manifest in
            // A first process records item 1, then dies in the middle of appending item 2's line.
            let first = RunStore(folder: folder, manifest: manifest, clock: { Date() })
            try await first.save()
            try await first.recordCall(step: "sections", call: call(1), output: "steps/sections/001.txt")
            let journal = folder.url.appendingPathComponent("journal.jsonl")
            let handle = try FileHandle(forWritingTo: journal)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(#"{"call": {"item": 2, "status": "succ"#.utf8))
            try handle.close()

            // The resumed process records item 3: it must survive the broken line before it.
            let resumed = RunStore(folder: folder, manifest: try RunStore.loadManifest(folder: folder), clock: { Date() })
            try await resumed.recordCall(step: "sections", call: call(3), output: "steps/sections/003.txt")
            let items = try RunStore.loadManifest(folder: folder).steps["sections"]?.calls.compactMap(\.item)
            #expect(items == [1, 3])
        }
    }

    @Test func aCallRecordedAgainReplacesItsItemAndOutputsAreListedOnce() async throws {
        try await withRun { folder, manifest in
            let store = RunStore(folder: folder, manifest: manifest, clock: { Date() }, persists: false)

            try await store.recordCall(step: "sections", call: call(2, .failed), output: nil)
            try await store.recordCall(step: "sections", call: call(1, .succeeded), output: "steps/sections/001.txt")
            try await store.recordCall(step: "sections", call: call(2, .succeeded), output: "steps/sections/002.txt")
            try await store.recordCall(step: "sections", call: call(1, .succeeded), output: "steps/sections/001.txt")
            var record = try #require(await store.manifest.steps["sections"])
            #expect(record.calls.map(\.item) == [2, 1])
            #expect(record.calls.map(\.status) == [.succeeded, .succeeded])
            #expect(record.outputs == ["steps/sections/001.txt", "steps/sections/002.txt"])

            // A replaced record (as on resume, keeping only item 2) is what later calls are recorded against.
            record.calls = [call(2, .succeeded)]
            record.outputs = ["steps/sections/002.txt"]
            try await store.update(record)
            try await store.recordCall(step: "sections", call: call(1, .succeeded), output: "steps/sections/001.txt")
            try await store.recordCall(step: "sections", call: call(2, .succeeded), output: "steps/sections/002.txt")
            record = try #require(await store.manifest.steps["sections"])
            #expect(record.calls.map(\.item) == [2, 1])
            #expect(record.outputs == ["steps/sections/002.txt", "steps/sections/001.txt"])
        }
    }
}
