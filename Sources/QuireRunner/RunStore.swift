import Foundation
import QuireCore

/// Owns a run's manifest and writes every change atomically, one at a time.
public actor RunStore {
    public nonisolated let folder: RunFolder
    public private(set) var manifest: RunManifest
    private let clock: @Sendable () -> Date
    /// False keeps the manifest and outputs in memory only: `quire test` keeps its own copy of what it needs.
    private let persists: Bool

    public init(folder: RunFolder, manifest: RunManifest, clock: @escaping @Sendable () -> Date, persists: Bool = true) {
        self.folder = folder
        self.manifest = manifest
        self.clock = clock
        self.persists = persists
    }

    /// Writes the manifest as it is now.
    public func save() throws {
        guard persists else { return }
        try AtomicFileWriter.write(manifest.json, to: folder.manifestURL)
    }

    public func update(_ record: StepRecord) throws {
        manifest.steps[record.id] = record
        try save()
    }

    /// Records one finished (or failed) fan-out item or call inside a step record.
    public func recordCall(step id: String, call: CallRecord, output: String?) throws {
        guard var record = manifest.steps[id] else { return }
        record.calls.removeAll { $0.item == call.item }
        record.calls.append(call)
        record.calls.sort { ($0.item ?? 0) < ($1.item ?? 0) }
        if let output, !record.outputs.contains(output) { record.outputs.append(output) }
        manifest.steps[id] = record
        try save()
    }

    /// Records an output file of a step that makes no model call.
    public func addOutput(step id: String, path: String) throws {
        guard var record = manifest.steps[id] else { return }
        if !record.outputs.contains(path) { record.outputs.append(path) }
        manifest.steps[id] = record
        try save()
    }

    public func addArtifact(_ path: String) throws {
        if !manifest.artifacts.contains(path) { manifest.artifacts.append(path) }
        try save()
    }

    public func finish(_ status: RunManifest.Status) throws {
        manifest.status = status
        manifest.finishedAt = RunID.timestamp(clock())
        try save()
    }

    public func markResumed() throws {
        manifest.resumes += 1
        manifest.status = .running
        manifest.finishedAt = nil
        try save()
    }

    public func writeOutput(_ text: String, to relative: String) throws {
        guard persists else { return }
        try folder.write(text, to: relative)
    }
}
