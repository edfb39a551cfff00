import Foundation
import QuireCore

/// Reads a run folder's `manifest.json`, with its journal folded in, as JSON.
public enum ManifestFile {
    public static func value(workspaceRoot: URL, folder: String) throws -> Value {
        let url = workspaceRoot.appendingPathComponent(folder)
        let data = try Data(contentsOf: url.appendingPathComponent("manifest.json"))
        let manifest = try JSONText.decode(String(decoding: data, as: UTF8.self))
        guard let journal = try? Data(contentsOf: url.appendingPathComponent("journal.jsonl")) else { return manifest }
        return ManifestJournalFold.apply(journal: String(decoding: journal, as: UTF8.self), to: manifest)
    }

    public static func record(workspaceRoot: URL, folder: String) throws -> HistoryRecord {
        try HistoryRecord(manifest: value(workspaceRoot: workspaceRoot, folder: folder), folder: folder)
    }
}
