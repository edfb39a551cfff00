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
/// outputs (scratch files, written without syncing to disk).
public struct GoldenStore: Sendable {
    public let fileSystem: LocalFileSystem
    /// `golden` (from `quire.yaml`'s `paths.golden`).
    public let goldenRoot: String

    /// Where `quire test` keeps actual outputs, workspace-relative.
    public static let outputRoot = ".quire/test-output"
    /// Recordings hold prompts and answers: readable by their owner only.
    public static let recordingPermissions = 0o600

    public init(fileSystem: LocalFileSystem, goldenRoot: String) {
        self.fileSystem = fileSystem
        self.goldenRoot = goldenRoot
    }

    public func goldenFolder(workflow: String, caseName: String) -> String { "\(goldenRoot)/\(workflow)/\(caseName)" }
    public func outputFolder(workflow: String, caseName: String) -> String { "\(Self.outputRoot)/\(workflow)/\(caseName)" }

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

    /// Reads a case folder. Symbolic links inside it are not followed, so a golden folder cannot make
    /// Quire read files elsewhere.
    public func read(_ folder: String) -> CaseContents {
        var contents = CaseContents()
        guard let base = try? fileSystem.url(folder) else { return contents }
        for (name, isDirectory) in Self.entries(of: base) {
            let url = base.appendingPathComponent(name)
            let path = "\(folder)/\(name)"
            switch name {
            case GoldenMetadata.fileName:
                guard let text = Self.text(url) else { continue }
                do { contents.metadata = try GoldenMetadata(json: text) } catch {
                    contents.problems.append("\(path): \(error)")
                }
            case GoldenRecordings.fileName:
                guard let text = Self.text(url) else { continue }
                do { contents.recordings = try GoldenRecordings(json: text) } catch {
                    contents.problems.append("\(path): \(error)")
                }
            case GoldenCasePlanner.inputsFileName:
                continue
            default:
                if isDirectory {
                    for (item, itemIsDirectory) in Self.entries(of: url) where !itemIsDirectory && Self.isOutputFile(item) {
                        if let text = Self.text(url.appendingPathComponent(item)) { contents.files["\(name)/\(item)"] = text }
                    }
                } else if Self.isOutputFile(name), let text = Self.text(url) {
                    contents.files[name] = text
                }
            }
        }
        return contents
    }

    /// The visible entries of a directory that are regular files or directories (not links), by name.
    static func entries(of url: URL) -> [(name: String, isDirectory: Bool)] {
        let keys: [URLResourceKey] = [.isDirectoryKey, .isRegularFileKey, .isSymbolicLinkKey]
        guard let urls = try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: keys) else { return [] }
        return urls.compactMap { child in
            let name = child.lastPathComponent
            guard !name.hasPrefix("."), let values = try? child.resourceValues(forKeys: Set(keys)), values.isSymbolicLink != true else { return nil }
            if values.isDirectory == true { return (name, true) }
            return values.isRegularFile == true ? (name, false) : nil
        }
    }

    static func text(_ url: URL) -> String? {
        (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func isOutputFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".txt") || name.hasSuffix(".json"))
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

    /// Writes a case's test output: plain writes, not synced to disk. The folder is scratch (the next run
    /// clears it), and a run of hundreds of cases would otherwise spend its time waiting for fsync.
    /// - Parameter files: paths relative to `folder` → text; recordings get owner-only permissions.
    public func writeScratch(_ files: [String: String], in folder: String) throws {
        let base = try fileSystem.url(folder)
        var folders = Set<String>()
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let url = base.appendingPathComponent(path)
            let parent = url.deletingLastPathComponent().path
            if folders.insert(parent).inserted {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            }
            let mode = path.hasSuffix(GoldenRecordings.fileName) ? Self.recordingPermissions : 0o644
            try writeFile(url.path, Array(text.utf8), mode: mode_t(mode))
        }
    }

    /// Removes a folder and everything in it, if it exists.
    public func removeFolder(_ folder: String) throws {
        let url = try fileSystem.url(folder)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }
}

/// Creates or truncates a file and writes `bytes` to it, without syncing.
private func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    var rest = bytes[...]
    while !rest.isEmpty {
        let written = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        rest = rest.dropFirst(written)
    }
}
