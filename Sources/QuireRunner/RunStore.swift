import Foundation
import QuireCore

/// Owns a run's manifest and writes every change atomically, one at a time.
public actor RunStore {
    public nonisolated let folder: RunFolder
    public private(set) var manifest: RunManifest
    private let clock: @Sendable () -> Date
    private let journal: RunJournal
    /// False keeps the manifest and outputs in memory only: `quire test` keeps its own copy of what it needs.
    private let persists: Bool
    /// Told about every manifest write (the run history); nil for none.
    private var history: (any RunHistorySink)?
    /// Per step: where each item's call sits in `calls`, and the outputs as a set — so recording the
    /// n-th item of a fan-out costs the same as the first, not a search of the n − 1 before it. Dropped
    /// whenever a step's record is replaced or reordered, and rebuilt on the next ``recordCall``.
    private var recorded: [String: RecordedIndex] = [:]
    /// Steps changed in memory since the last write (``stage(_:)``, ``addOutput(step:path:)``): the next
    /// write carries them, and tells the history about them.
    private var unsaved: Set<String> = []

    private struct RecordedIndex {
        var calls: [Int?: Int] = [:]
        var outputs: Set<String> = []

        init(_ record: StepRecord) {
            for (position, call) in record.calls.enumerated() { calls[call.item] = position }
            outputs = Set(record.outputs)
        }
    }

    public init(
        folder: RunFolder, manifest: RunManifest, clock: @escaping @Sendable () -> Date, persists: Bool = true,
        history: (any RunHistorySink)? = nil
    ) {
        self.folder = folder
        self.manifest = manifest
        self.clock = clock
        self.journal = RunJournal(folder: folder.url)
        self.persists = persists
        self.history = persists ? history : nil
    }

    /// Reads a run's manifest back, with the calls its journal recorded after the last rewrite.
    public static func loadManifest(folder: RunFolder) throws -> RunManifest {
        let data = try Data(contentsOf: folder.manifestURL)
        var manifest = try RunManifest(value: try JSONText.decode(String(decoding: data, as: UTF8.self)))
        RunJournal.replay(into: &manifest, folder: folder.url)
        return manifest
    }

    /// Tells `history` about every manifest write from now on (ignored when the store does not persist).
    public func attachHistory(_ history: any RunHistorySink) {
        if persists { self.history = history }
    }

    /// Writes the manifest as it is now.
    public func save() throws {
        try save(changedSteps: nil)
    }

    /// Writes the manifest, then tells the history which steps changed (the manifest comes first:
    /// it is what the history is rebuilt from). `changedSteps` nil: any step may have changed; `[]`: only
    /// the run's own fields did.
    private func save(changedSteps: Set<String>?, tellingHistory: Bool = true) throws {
        guard persists else { return }
        let value = manifest.value
        try AtomicFileWriter.write(JSONText.encode(value, pretty: true) + "\n", toPath: folder.manifestPath)
        let changed = changedSteps.map { $0.union(unsaved) }
        unsaved = []
        if tellingHistory { history?.record(manifest: value, folder: folder.relativePath, changedSteps: changed) }
    }

    /// Writes the manifest if a step changed in memory since the last write; otherwise does nothing.
    public func saveStaged() throws {
        guard !unsaved.isEmpty else { return }
        try save(changedSteps: [])
    }

    /// Replaces a step's record and rewrites the manifest.
    public func update(_ record: StepRecord) throws {
        var record = record
        record.calls.sort { ($0.item ?? 0) < ($1.item ?? 0) }
        manifest.steps[record.id] = record
        recorded[record.id] = nil
        try save(changedSteps: [record.id])
    }

    /// Records one finished (or failed) call: in memory, and as one appended journal line, so a
    /// killed run still knows it finished (`--resume` reuses it instead of paying for it again). The
    /// manifest itself is rewritten when the step ends — for a single call, right after this.
    public func recordCall(step id: String, call: CallRecord, output: String?) throws {
        guard manifest.steps[id] != nil else { return }
        var index = recorded.removeValue(forKey: id) ?? RecordedIndex(manifest.steps[id]!)
        // Mutated in place: copying the record out and back would copy its calls, once per item of a fan-out.
        if let position = index.calls[call.item] {
            manifest.steps[id]!.calls[position] = call
        } else {
            index.calls[call.item] = manifest.steps[id]!.calls.count
            manifest.steps[id]!.calls.append(call)
        }
        if let output, index.outputs.insert(output).inserted { manifest.steps[id]!.outputs.append(output) }
        recorded[id] = index
        if persists { try journal.append(step: id, call: call, output: output) }
    }

    /// Replaces a step's record in memory only; the next write of the manifest carries it (a step
    /// starting right after, ``saveStaged()``, or ``finish(_:)``). For the start of a step that makes no
    /// model call — a kill before its end loses nothing but a re-render — and for the end of any step
    /// when another write follows at once: a kill in between loses nothing either, as every finished
    /// call is in the journal.
    public func stage(_ record: StepRecord) {
        var record = record
        record.calls.sort { ($0.item ?? 0) < ($1.item ?? 0) }
        manifest.steps[record.id] = record
        recorded[record.id] = nil
        if persists { unsaved.insert(record.id) }
    }

    /// Records an output file of a step that makes no model call (saved with the step: re-rendering is free).
    public func addOutput(step id: String, path: String) {
        guard manifest.steps[id] != nil, !manifest.steps[id]!.outputs.contains(path) else { return }
        manifest.steps[id]!.outputs.append(path)
        recorded[id] = nil
        if persists { unsaved.insert(id) }
    }

    /// Lists a final artifact; written with the manifest by ``finish(_:)``, which follows at once.
    public func addArtifact(_ path: String) {
        if !manifest.artifacts.contains(path) { manifest.artifacts.append(path) }
    }

    public func finish(_ status: RunManifest.Status) throws {
        manifest.status = status
        manifest.finishedAt = RunID.timestamp(clock())
        for (id, record) in manifest.steps {
            manifest.steps[id]?.calls = record.calls.sorted { ($0.item ?? 0) < ($1.item ?? 0) }
        }
        recorded = [:]
        // Steps already written were told to the history then: only the run's row and the staged steps change.
        try save(changedSteps: [])
        if persists { journal.remove() }
    }

    /// Marks as succeeded the steps among `ids` still recorded as running: `--resume` reuses their
    /// finished call (read back from the journal) because the process died before their end was written.
    public func markReused(_ ids: some Sequence<String>) throws {
        var changed: Set<String> = []
        for id in ids where manifest.steps[id]?.status == .running {
            manifest.steps[id]!.status = .succeeded
            changed.insert(id)
        }
        if !changed.isEmpty { try save(changedSteps: changed) }
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
