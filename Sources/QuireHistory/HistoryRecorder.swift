import Dispatch
import Foundation
import QuireCore
import Synchronization
import QuireRunner

/// Keeps a running run's rows in the history up to date: plugged into the run store, it writes the run's
/// row and the steps that changed each time the manifest is written (a few statements per step, in one
/// transaction, with no fsync of its own).
///
/// The database is opened and written on a serial queue of its own, so a run's steps never wait for
/// SQLite. What was recorded while the queue was busy is written together, in one transaction, and
/// only the latest manifest of each run is read (with the union of the steps that changed): the runs
/// of a `--batch` that finish together cost one write, not one per manifest write of each. ``flush()`` waits for what is queued (the command
/// calls it before exiting); a process killed before that loses at most the last writes, which the
/// history reads back from the manifest (`quire runs` re-reads unfinished runs).
///
/// A history that cannot be opened or written never fails the run: the first problem is reported
/// through `warn` (with a diagnostic id), and the recorder stops trying.
public final class HistoryRecorder: RunHistorySink, @unchecked Sendable {
    public typealias Warning = @Sendable (_ id: String, _ message: String) -> Void

    private let queue = DispatchQueue(label: "quire.history")
    private let pid: Int
    private let warn: Warning
    // Touched only on `queue`.
    private var database: HistoryDatabase?
    private var failed = false
    /// Recorded but not yet written, per run folder; a drain of it is queued while it is not empty.
    private let pending = Mutex(Pending())

    private struct Pending {
        var manifests: [String: (manifest: Value, changedSteps: Set<String>?)] = [:]
        var folders: [String] = []
    }

    /// Opens the history of the workspace at `workspaceRoot` in the background.
    public init(workspaceRoot: URL, pid: Int = Int(ProcessInfo.processInfo.processIdentifier), warn: @escaping Warning) {
        self.pid = pid
        self.warn = warn
        queue.async { [self] in
            do {
                database = try HistoryDatabase.open(workspaceRoot: workspaceRoot)
            } catch {
                failed = true
                warn("history.unavailable", "\(error); this run goes on without it")
            }
        }
    }

    public func record(manifest: Value, folder: String, changedSteps: Set<String>?) {
        let first = pending.withLock { pending in
            let first = pending.folders.isEmpty
            if let earlier = pending.manifests[folder] {
                // nil means "any step may have changed", which absorbs any set.
                let changed = earlier.changedSteps.flatMap { earlier in changedSteps.map { earlier.union($0) } }
                pending.manifests[folder] = (manifest, changed)
            } else {
                pending.manifests[folder] = (manifest, changedSteps)
                pending.folders.append(folder)
            }
            return first
        }
        if first { queue.async { [self] in drain() } }
    }

    /// Writes everything pending, in one transaction. On `queue`.
    private func drain() {
        let batch = pending.withLock { pending in
            defer { pending = Pending() }
            return pending.folders.map { (folder: $0, entry: pending.manifests[$0]!) }
        }
        guard !failed, let database, !batch.isEmpty else { return }
        do {
            let records = try batch.map { item throws(ManifestError) in
                (record: try HistoryRecord(manifest: item.entry.manifest, folder: item.folder, pid: pid),
                 changedSteps: item.entry.changedSteps)
            }
            try database.write(records)
        } catch {
            failed = true
            warn("history.write-failed", "\(error); this run goes on without it")
        }
    }

    /// Waits until everything recorded so far is written (or has failed).
    public func flush() {
        queue.sync {}
    }

    /// Waits until everything recorded so far is written, then closes the database in the background.
    ///
    /// Closing the last connection checkpoints the write-ahead log into the database file (two
    /// `fdatasync`s and the removal of the `-wal` and `-shm` files): a couple of milliseconds that a
    /// command about to exit need not wait for. A process that exits before the close is done leaves
    /// the log behind, which is as safe as a closed database: the next connection reads it.
    public func finish() {
        queue.sync {}
        queue.async { [self] in database = nil }
    }
}
