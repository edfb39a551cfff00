import Foundation
import QuireCore

/// An earlier run whose outputs a partial run (`--from` / `--only`) takes as they were.
/// It is only ever read: its folder and manifest are never changed.
public struct ReusedRun: Sendable {
    public let folder: RunFolder
    public let manifest: RunManifest

    public init(folder: RunFolder, manifest: RunManifest) {
        self.folder = folder
        self.manifest = manifest
    }

    /// Every run in `folder`'s subfolders whose manifest can be read, in no particular order.
    public static func runs(under folder: URL, relativePath: String) -> [ReusedRun] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { name in
            let run = RunFolder(url: folder.appendingPathComponent(name), relativePath: "\(relativePath)/\(name)")
            guard FileManager.default.fileExists(atPath: run.manifestURL.path), let manifest = try? RunStore.loadManifest(folder: run) else { return nil }
            return ReusedRun(folder: run, manifest: manifest)
        }
    }

    /// The outputs of the reused steps, read back from the earlier run's folder. A listed file that is
    /// missing or unreadable is an error here (unlike `--resume`, nothing could run it again).
    public func outputs(of steps: [String], analysis: WorkflowAnalysis) -> Result<[String: Value], DiagnosticError> {
        var values: [String: Value] = [:]
        var problems: [Diagnostic] = []
        for id in steps {
            guard let record = manifest.steps[id], let step = analysis.steps[id] else { continue }
            do {
                if step.step.forEach != nil {
                    values[id] = .list(try record.outputs.sorted { itemNumber($0) < itemNumber($1) }.map(folder.readOutput))
                } else if let path = record.outputs.first {
                    values[id] = try folder.readOutput(path)
                } else {
                    problems.append(.error("run.reuse-missing-output", "run \(manifest.runID) lists no output file for step '\(id)'"))
                }
            } catch {
                problems.append(.error(
                    "run.reuse-missing-output", "cannot read the output of step '\(id)' in \(folder.relativePath): \(error.localizedDescription)",
                    suggestion: "re-run it too: add --only \(id), or start earlier with --from \(id)"))
            }
        }
        return problems.isEmpty ? .success(values) : .failure(DiagnosticError(problems))
    }

    /// Copies the output files of `records` (and the raw answers beside them) into `target`, so the new
    /// run folder is complete and can be resumed on its own.
    public func copyOutputs(of records: [StepRecord], to target: RunFolder) throws {
        let fm = FileManager.default
        for record in records {
            for path in record.outputs {
                var paths = [path]
                if let dot = path.lastIndex(of: ".") { paths.append(String(path[..<dot]) + ".raw.txt") }
                for relative in paths {
                    let source = folder.url.appendingPathComponent(relative)
                    guard fm.fileExists(atPath: source.path) else { continue }
                    try AtomicFileWriter.write(try Data(contentsOf: source), to: target.url.appendingPathComponent(relative))
                }
            }
        }
    }
}
