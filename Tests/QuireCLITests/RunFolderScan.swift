import Foundation
import QuireCore
import QuireRunner
import Testing

/// Reads a run folder the way a person checking it would: every file, and whether anything is half-written.
enum RunFolderScan {
    /// Every regular file but `manifest.json` (which holds timings), by path relative to the folder.
    static func outputs(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let names = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []
        for name in names where name != "manifest.json" {
            var isDirectory: ObjCBool = false
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[name] = try Data(contentsOf: url)
        }
        return files
    }

    /// The manifest as Quire reads it back: manifest.json plus the journal of calls finished since.
    static func manifest(_ folder: URL) throws -> RunManifest {
        try RunStore.loadManifest(folder: RunFolder(url: folder, relativePath: folder.lastPathComponent))
    }

    /// Nothing half-written: no temporary files, no journal once the run has ended, every JSON file
    /// parses, every output the manifest lists exists.
    static func expectComplete(_ folder: URL, _ comment: Comment) throws {
        let names = FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []
        #expect(!names.contains { $0.hasSuffix(".tmp") }, "temporary files left: \(names) — \(comment)")
        #expect(!names.contains("journal.jsonl"), "the journal outlived the run — \(comment)")
        for name in names where name.hasSuffix(".json") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect((try? JSONText.decode(text)) != nil, "\(name) does not parse — \(comment)")
        }
        for record in try manifest(folder).steps.values {
            for output in record.outputs {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(output).path), "\(output) is listed but missing — \(comment)")
            }
        }
    }

    /// Reports each file of `expected` that `actual` lacks or holds different bytes for.
    static func expectSame(_ actual: [String: Data], as expected: [String: Data], _ comment: Comment) {
        #expect(actual.keys.sorted() == expected.keys.sorted(), "\(comment)")
        for (path, data) in expected where actual[path] != data {
            Issue.record("\(path) differs from the uninterrupted run — \(comment)")
        }
    }
}
