import Dispatch
import Foundation
import QuireCore
import QuireRunner

/// Keeps a running run's rows in the history up to date: plugged into the run store, it writes the run's
/// row and the steps that changed each time the manifest is written (a few statements per step, in one
/// transaction, with no fsync of its own).
///
/// The database is opened and written on a serial queue of its own, in the order the manifest was
/// written, so a run's steps never wait for SQLite. ``flush()`` waits for what is queued (the command
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
        queue.async { [self] in
            guard !failed, let database else { return }
            do {
                let record = try HistoryRecord(manifest: manifest, folder: folder, pid: pid)
                try database.write(record, changedSteps: changedSteps)
            } catch {
                failed = true
                warn("history.write-failed", "\(error); this run goes on without it")
            }
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
