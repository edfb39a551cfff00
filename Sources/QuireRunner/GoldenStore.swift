import Foundation
import QuireCore

/// Golden folders and test-output folders on disk, by workspace-relative paths:
///
/// ```
/// golden/<workflow>/<case>/
///   inputs.yaml              a folder case's inputs (cases in the workflow's `cases:` have none)
///   golden.meta.json         what produced each step's golden (GoldenMetadata)
///   golden.recordings.json   the model exchanges, replayed by `quire test` (owner-only permissions)
///   plan.json                a step's golden output (.txt for text, .json for lists and JSON)
///   sections/001.txt         one file per fan-out item
/// ```
///
/// `.quire/test-output/<workflow>/<case>/` has the same layout for the last test run's actual
/// outputs, plus the run folder `quire-run/` (manifest and raw answers).
public struct GoldenStore: Sendable {
    public let fileSystem: LocalFileSystem
    /// `golden` (from `quire.yaml`'s `paths.golden`).
    public let goldenRoot: String

    /// Where `quire test` keeps actual outputs, workspace-relative.
    public static let outputRoot = ".quire/test-output"
    /// The run folder inside a case's test output; its name cannot be a step id.
    public static let runFolderName = "quire-run"
    /// Recordings hold prompts and answers: readable by their owner only.
    public static let recordingPermissions = 0o600

    public init(fileSystem: LocalFileSystem, goldenRoot: String) {
        self.fileSystem = fileSystem
        self.goldenRoot = goldenRoot
    }

    public func goldenFolder(workflow: String, caseName: String) -> String { "\(goldenRoot)/\(workflow)/\(caseName)" }
    public func outputFolder(workflow: String, caseName: String) -> String { "\(Self.outputRoot)/\(workflow)/\(caseName)" }

    /// The files a case folder holds besides step outputs.
    static let reservedNames: Set<String> = [
        GoldenMetadata.fileName, GoldenRecordings.fileName, GoldenCasePlanner.inputsFileName, runFolderName,
    ]

    // MARK: - Reading

    /// The folders under `golden/<workflow>/`, with their inputs files.
    public func caseFolders(workflow: String) -> [GoldenFolder] {
        let base = "\(goldenRoot)/\(workflow)"
        guard let entries = try? fileSystem.listDirectory(base) else { return [] }
        return entries.filter { $0.isDirectory && !$0.name.hasPrefix(".") }.map { entry in
            let inputs = try? fileSystem.readFile("\(base)/\(entry.name)/\(GoldenCasePlanner.inputsFileName)")
            return GoldenFolder(name: entry.name, inputsText: inputs.map { String(decoding: $0, as: UTF8.self) })
        }
    }

    /// What a case folder holds.
    public struct CaseContents: Sendable {
        /// Step output files, relative to the case folder → text.
        public var files: [String: String] = [:]
        public var metadata: GoldenMetadata?
        public var recordings: GoldenRecordings?
        /// Files that exist but cannot be read.
        public var problems: [String] = []

        /// The files of one step: `<id>.txt`, `<id>.json` and `<id>/…`.
        public func files(of step: String) -> [String: String] {
            files.filter { $0.key == "\(step).txt" || $0.key == "\(step).json" || $0.key.hasPrefix("\(step)/") }
        }
    }

    public func read(_ folder: String) -> CaseContents {
        var contents = CaseContents()
        guard let entries = try? fileSystem.listDirectory(folder) else { return contents }
        for entry in entries where !entry.name.hasPrefix(".") {
            let path = "\(folder)/\(entry.name)"
            switch entry.name {
            case GoldenMetadata.fileName:
                guard let text = text(path) else { continue }
                do { contents.metadata = try GoldenMetadata(json: text) } catch {
                    contents.problems.append("\(path): \(error)")
                }
            case GoldenRecordings.fileName:
                guard let text = text(path) else { continue }
                do { contents.recordings = try GoldenRecordings(json: text) } catch {
                    contents.problems.append("\(path): \(error)")
                }
            case GoldenCasePlanner.inputsFileName, Self.runFolderName:
                continue
            default:
                if entry.isDirectory {
                    for item in (try? fileSystem.listDirectory(path)) ?? [] where !item.isDirectory && Self.isOutputFile(item.name) {
                        if let text = text("\(path)/\(item.name)") { contents.files["\(entry.name)/\(item.name)"] = text }
                    }
                } else if Self.isOutputFile(entry.name), let text = text(path) {
                    contents.files[entry.name] = text
                }
            }
        }
        return contents
    }

    static func isOutputFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".txt") || name.hasSuffix(".json"))
    }

    private func text(_ path: String) -> String? {
        (try? fileSystem.readFile(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: - Writing

    /// Replaces a step's files in a case folder: writes `files` and removes the step's other files.
    public func replaceStepFiles(step: String, files: [String: String], in folder: String, existing: [String: String]) throws {
        for path in existing.keys where files[path] == nil {
            try? FileManager.default.removeItem(at: try fileSystem.url("\(folder)/\(path)"))
        }
        for (path, text) in files {
            try AtomicFileWriter.write(text, to: try fileSystem.url("\(folder)/\(path)"))
        }
        // An emptied fan-out folder goes too.
        let directory = try fileSystem.url("\(folder)/\(step)")
        if let left = try? FileManager.default.contentsOfDirectory(atPath: directory.path), left.isEmpty {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    public func write(_ metadata: GoldenMetadata, in folder: String) throws {
        try AtomicFileWriter.write(metadata.json, to: try fileSystem.url("\(folder)/\(GoldenMetadata.fileName)"))
    }

    public func write(_ recordings: GoldenRecordings, in folder: String) throws {
        try AtomicFileWriter.write(
            recordings.json, to: try fileSystem.url("\(folder)/\(GoldenRecordings.fileName)"), permissions: Self.recordingPermissions)
    }

    /// Removes a folder and everything in it, if it exists.
    public func removeFolder(_ folder: String) throws {
        let url = try fileSystem.url(folder)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }
}
