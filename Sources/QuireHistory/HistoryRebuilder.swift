import Foundation
import QuireCore

/// Makes the history anew from the run folders: every `manifest.json` under the output folder, and the
/// folders the history knew of (runs written with `--out` elsewhere in the workspace).
public struct HistoryRebuilder: Sendable {
    public struct Summary: Sendable {
        public var runs: Int
        public var calls: Int
        /// Manifests that could not be read, with the reason.
        public var problems: [String]
        /// The damaged database file that was set aside, if any.
        public var setAside: String?
    }

    public let workspaceRoot: URL
    /// The output folder, relative to the workspace root (`output`).
    public let outputFolder: String

    public init(workspaceRoot: URL, outputFolder: String) {
        self.workspaceRoot = workspaceRoot
        self.outputFolder = outputFolder
    }

    public func rebuild() throws(HistoryError) -> Summary {
        let url = workspaceRoot.appendingPathComponent(HistoryDatabase.relativePath)
        var known: [String: (folder: String, pid: Int?)] = [:]
        var setAside: String?
        var database: HistoryDatabase
        do {
            database = try HistoryDatabase.open(url: url, displayPath: HistoryDatabase.relativePath)
            for run in try database.runs() { known[run.runID] = (run.folder, run.pid) }
        } catch {
            guard HistoryError.isDamage(error) else {
                throw HistoryError.from(error, path: HistoryDatabase.relativePath)
            }
            // A damaged file is kept beside the new one, for inspection, never deleted.
            let aside = url.path + ".damaged"
            let fm = FileManager.default
            try? fm.removeItem(atPath: aside)
            do {
                try fm.moveItem(atPath: url.path, toPath: aside)
            } catch {
                throw HistoryError("cannot set the damaged run history \(HistoryDatabase.relativePath) aside: \(error.localizedDescription)")
            }
            for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: url.path + suffix) }
            setAside = HistoryDatabase.relativePath + ".damaged"
            do {
                database = try HistoryDatabase.open(url: url, displayPath: HistoryDatabase.relativePath)
            } catch {
                throw HistoryError.from(error, path: HistoryDatabase.relativePath)
            }
        }

        var folders = Set(manifestFolders(under: outputFolder))
        for (_, entry) in known where FileManager.default.fileExists(atPath: workspaceRoot.appendingPathComponent(entry.folder).appendingPathComponent("manifest.json").path) {
            folders.insert(entry.folder)
        }
        var records: [String: HistoryRecord] = [:]
        var problems: [String] = []
        for folder in folders.sorted() {
            do {
                var record = try ManifestFile.record(workspaceRoot: workspaceRoot, folder: folder)
                record.run.pid = known[record.run.runID]?.pid
                if let other = records[record.run.runID] {
                    problems.append("\(folder)/manifest.json: run id \(record.run.runID) is also in \(other.run.folder); kept the first")
                    continue
                }
                records[record.run.runID] = record
            } catch {
                problems.append("\(folder)/manifest.json: \(error)")
            }
        }
        let all = records.keys.sorted().map { records[$0]! }
        try database.replaceAll(with: all)
        return Summary(runs: all.count, calls: all.reduce(0) { $0 + $1.run.calls }, problems: problems, setAside: setAside)
    }

    /// Folders (relative to the workspace root) under `relative` that hold a `manifest.json`, in sorted order.
    func manifestFolders(under relative: String) -> [String] {
        let base = workspaceRoot.appendingPathComponent(relative)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var folders: [String] = []
        let prefix = base.standardizedFileURL.path
        for case let file as URL in enumerator where file.lastPathComponent == "manifest.json" {
            let folder = file.deletingLastPathComponent().standardizedFileURL.path
            let inner = folder.count > prefix.count ? String(folder.dropFirst(prefix.count + 1)) : ""
            folders.append(inner.isEmpty ? relative : "\(relative)/\(inner)")
        }
        return folders.sorted()
    }
}
