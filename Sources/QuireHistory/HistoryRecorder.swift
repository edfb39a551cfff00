import Foundation
import QuireCore
import QuireRunner

/// Keeps a running run's rows in the history up to date: plugged into the run store, it writes the run's
/// row and the steps that changed each time the manifest is written (a few statements per step, in one
/// transaction, with no fsync of its own).
///
/// A history that cannot be written never fails the run: the first problem is reported through `warn`,
/// and the recorder stops trying; `quire history rebuild` catches up from the manifests later.
public final class HistoryRecorder: RunHistorySink, @unchecked Sendable {
    private let database: HistoryDatabase
    private let pid: Int
    private let warn: @Sendable (String) -> Void
    private let lock = NSLock()
    private var failed = false

    public init(database: HistoryDatabase, pid: Int = Int(ProcessInfo.processInfo.processIdentifier), warn: @escaping @Sendable (String) -> Void) {
        self.database = database
        self.pid = pid
        self.warn = warn
    }

    public func record(manifest: Value, folder: String, changedSteps: Set<String>?) {
        lock.lock()
        defer { lock.unlock() }
        guard !failed else { return }
        do {
            let record = try HistoryRecord(manifest: manifest, folder: folder, pid: pid)
            try database.write(record, changedSteps: changedSteps)
        } catch {
            failed = true
            warn("\(error); this run goes on without it")
        }
    }
}
