import ArgumentParser
import Foundation
import QuireCore
import QuireHistory
import QuireRunner

/// What the history commands share: opening the history, bringing unfinished runs up to date with
/// their manifests, and telling a live run from one whose process is gone.
struct HistoryAccess {
    let global: GlobalOptions
    let root: URL
    let database: HistoryDatabase

    /// Opens the workspace's history (an empty one, in memory, when it has none yet), or reports why
    /// not (naming the file) and exits 1.
    init(global: GlobalOptions) throws {
        self.global = global
        root = try global.root()
        do {
            database = try HistoryDatabase.openForReading(workspaceRoot: root)
        } catch {
            global.report([.error("history.unavailable", error.description)], sources: [:])
            throw ExitCodes.failure
        }
    }

    /// Runs the history says are still running, re-read from their manifests (and journals): a run that
    /// was killed stops where its manifest stops.
    func refreshUnfinished() throws {
        for run in try database.runs(status: "running") {
            guard var record = try? ManifestFile.record(workspaceRoot: root, folder: run.folder) else { continue }
            record.run.pid = run.pid
            try database.write(record)
        }
    }

    /// Warns when `workflow` (`--workflow`) has no runs in the history at all, with the closest name
    /// that has; returns whether it warned.
    @discardableResult
    func warnIfNoRuns(ofWorkflow workflow: String?) throws -> Bool {
        guard let workflow else { return false }
        let names = try database.workflows()
        guard !names.contains(workflow) else { return false }
        let rebuild = "runs made before the history existed appear after `quire history rebuild`"
        let suggestion = Suggestions.didYouMean(workflow, in: names)
            ?? (names.isEmpty ? rebuild : "workflows with runs: \(names.joined(separator: ", ")); \(rebuild)")
        global.report([.warning(
            "history.unknown-workflow", "no workflow '\(workflow)' has runs in the run history \(HistoryDatabase.relativePath)",
            suggestion: suggestion)], sources: [:])
        return true
    }

    /// Reports a history error and exits 1.
    func fail(_ error: HistoryError) -> ExitCode {
        global.report([.error("history.unavailable", error.description)], sources: [:])
        return ExitCodes.failure
    }

    /// False when the run says `running` but the process that wrote it is gone (killed, or the machine restarted).
    static func isAlive(_ run: HistoryRun) -> Bool {
        guard run.status == "running" else { return false }
        guard let pid = run.pid, pid > 0 else { return true }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }

    /// `running`, or `abandoned` for a running run whose process is gone.
    static func status(_ run: HistoryRun) -> String {
        run.status == "running" && !isAlive(run) ? "abandoned" : run.status
    }

    static func json(_ run: HistoryRun) -> Value {
        guard case .object(var o) = run.value else { return run.value }
        o["abandoned"] = .bool(run.status == "running" && !isAlive(run))
        return .object(o)
    }

    /// A run id the history knows, or an error with the closest ids.
    func record(_ id: String) throws -> HistoryRecord {
        if let record = try database.record(runID: id) { return record }
        // A unique prefix is enough (`20261122-0930`).
        switch RunIDLookup(id, matches: id.isEmpty ? [] : try database.runIDs(withPrefix: id)) {
        case .found(let match):
            if let record = try database.record(runID: match) { return record }
        case .ambiguous(let message):
            global.report([.error("history.unknown-run", message, suggestion: "see `quire runs`")], sources: [:])
            throw ExitCodes.usage
        case .unknown:
            break
        }
        let ids = (try? database.runs(limit: 500).map(\.runID)) ?? []
        global.report([.error(
            "history.unknown-run", "no run '\(id)' in the run history \(HistoryDatabase.relativePath)",
            suggestion: Suggestions.didYouMean(id, in: ids) ?? "see `quire runs`; runs made before the history existed appear after `quire history rebuild`")], sources: [:])
        throw ExitCodes.usage
    }
}
