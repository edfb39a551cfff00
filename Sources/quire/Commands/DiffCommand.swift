import ArgumentParser
import Foundation
import QuireCore
import QuireHistory
import QuireRunner

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs: inputs, prompt versions, parameters, and each step's output as a unified diff.",
        discussion: """
            Reads both run folders (found through the run history, else under output/). Exit codes, as diff(1): \
            0 the runs are identical (same inputs, prompt versions and hashes, parameters and outputs), 1 they \
            differ, 64 a run cannot be found or read.

            Examples:
              quire diff 20261122-093015-3f2a1c 20261122-101500-9b1c07
              quire diff 20261122-093015-3f2a1c 20261122-101500-9b1c07 --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The first (older) run id.")
    var runA: String

    @Argument(help: "The second (newer) run id.")
    var runB: String

    @Flag(help: "Print the comparison as JSON on stdout.")
    var json = false

    func validate() throws {
        for id in [runA, runB] where id.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("a run id is empty; give two run ids, or prefixes only one run has each (see `quire runs`)")
        }
    }

    func run() async throws {
        let history = try HistoryAccess(global: global)
        let (manifestA, filesA) = try load(runA, history: history)
        let (manifestB, filesB) = try load(runB, history: history)
        // Reused steps have no calls of their own: their parameters are in the runs that made them.
        // (Both may say one run id: a run folder copied under output/ compares with its original.)
        var known = Dictionary([(manifestA.runID, manifestA), (manifestB.runID, manifestB)], uniquingKeysWith: { first, _ in first })
        var output: String?
        let lookup = { (id: String) -> RunManifest? in
            if let manifest = known[id] { return manifest }
            let folder = output ?? WorkspaceLoader(fileSystem: LocalFileSystem(root: history.root)).load().config.paths.output
            output = folder
            let manifest = Self.manifest(ofRun: id, history: history, output: folder)
            known[id] = manifest
            return manifest
        }
        let comparison = RunComparison(
            a: manifestA, b: manifestB, filesA: filesA, filesB: filesB,
            originsA: RunComparison.origins(of: manifestA, lookup: lookup), originsB: RunComparison.origins(of: manifestB, lookup: lookup))
        if json {
            Console.out(JSONText.encode(comparison.value, pretty: true))
        } else {
            var text = comparison.rendered
            if text.hasSuffix("\n") { text.removeLast() }
            Console.out(text)
        }
        if !comparison.isIdentical { throw ExitCodes.failure }
    }

    /// `output/<workflow>/<id>` when exactly one workflow has a run folder of that id with a manifest.
    static func folderUnderOutput(_ id: String, root: URL, output: String) -> String? {
        guard RunID.isValid(id) else { return nil }
        let base = root.appendingPathComponent(output)
        let workflows = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        let matches = workflows.sorted().filter {
            FileManager.default.fileExists(atPath: base.appendingPathComponent($0).appendingPathComponent(id).appendingPathComponent("manifest.json").path)
        }
        return matches.count == 1 ? "\(output)/\(matches[0])/\(id)" : nil
    }

    /// The manifest of a run other than the two compared (the one a step was reused from), or nil when
    /// it cannot be found or read.
    static func manifest(ofRun id: String, history: HistoryAccess, output: String) -> RunManifest? {
        guard let folder = (try? history.database.record(runID: id))??.run.folder ?? folderUnderOutput(id, root: history.root, output: output),
              let value = try? ManifestFile.value(workspaceRoot: history.root, folder: folder) else { return nil }
        return try? RunManifest(value: value)
    }

    /// Why a manifest could not be read, in a few words (never Foundation's error dump).
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as JSONParseError: "\(error)"
        case let error as ManifestError: error.description
        default: error.localizedDescription
        }
    }

    /// A run's manifest and the text of every output and artifact it lists.
    func load(_ id: String, history: HistoryAccess) throws -> (RunManifest, [String: String]) {
        let folder: String
        do {
            if let known = try history.database.record(runID: id) {
                folder = known.run.folder
            } else if let found = Self.folderUnderOutput(id, root: history.root, output: try global.loadWorkspace().0.config.paths.output) {
                // A run made before the history existed (or by another checkout of the workspace).
                folder = found
            } else {
                folder = try history.record(id).run.folder
            }
        } catch let error as HistoryError {
            throw history.fail(error)
        }
        let base = history.root.appendingPathComponent(folder)
        let fm = FileManager.default
        if !fm.fileExists(atPath: base.appendingPathComponent("manifest.json").path) {
            // The history still knows the run, but its folder was deleted or moved.
            let what = fm.fileExists(atPath: base.path) ? "its manifest \(folder)/manifest.json is missing" : "its run folder \(folder)/ is gone"
            global.report([.error(
                "history.missing-run-folder", "cannot compare run \(id): \(what) (deleted or moved?)",
                suggestion: "`quire history rebuild` forgets the runs whose folders are gone")], sources: [:])
            throw ExitCodes.usage
        }
        let value: Value
        let manifest: RunManifest
        do {
            value = try ManifestFile.value(workspaceRoot: history.root, folder: folder)
            manifest = try RunManifest(value: value)
        } catch {
            global.report([.error("history.unreadable-run", "cannot read \(folder)/manifest.json: \(Self.reason(error))")], sources: [:])
            throw ExitCodes.usage
        }
        var files: [String: String] = [:]
        for path in manifest.steps.values.flatMap(\.outputs) + manifest.artifacts {
            if let data = try? Data(contentsOf: base.appendingPathComponent(path)) { files[path] = String(decoding: data, as: UTF8.self) }
        }
        return (manifest, files)
    }
}
