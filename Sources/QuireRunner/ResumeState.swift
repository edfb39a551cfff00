import Foundation
import QuireCore

/// What an earlier attempt of a run finished, read back from its folder for `--resume`.
public struct ResumeState: Sendable {
    /// Outputs of steps that finished, by step id.
    public var outputs: [String: Value] = [:]
    /// Finished items of fan-out steps that did not finish, by step id and item number.
    public var items: [String: [Int: Value]] = [:]

    public init() {}

    /// Reads every finished output the manifest lists. A listed file that is missing or unreadable
    /// makes its step (or item) run again rather than fail the resume.
    public static func load(manifest: RunManifest, folder: RunFolder, analysis: WorkflowAnalysis) -> ResumeState {
        var state = ResumeState()
        for (id, record) in manifest.steps {
            guard let step = analysis.steps[id] else { continue }
            if step.step.forEach != nil {
                var finished: [Int: Value] = [:]
                for call in record.calls where call.status == .succeeded {
                    guard let item = call.item, let path = call.output, let value = try? folder.readOutput(path) else { continue }
                    finished[item] = value
                }
                if record.status == .succeeded {
                    // Template fan-outs have no calls: their outputs are numbered files.
                    var values: [Value] = []
                    var complete = true
                    for path in record.outputs.sorted(by: { itemNumber($0) < itemNumber($1) }) {
                        guard let value = try? folder.readOutput(path) else { complete = false; break }
                        values.append(value)
                    }
                    if complete { state.outputs[id] = .list(values); continue }
                }
                if !finished.isEmpty { state.items[id] = finished }
            } else if record.status == .succeeded, let path = record.outputs.first, let value = try? folder.readOutput(path) {
                state.outputs[id] = value
            } else if let call = record.calls.last, call.status == .succeeded, let path = call.output,
                let value = try? folder.readOutput(path)
            {
                // The call finished and its output was written, but the process died before the
                // step's end was: the answer is paid for, so it is reused, not asked again.
                state.outputs[id] = value
            }
        }
        return state
    }
}

/// `steps/sections/012.txt` → 12.
func itemNumber(_ path: String) -> Int {
    let name = (path as NSString).lastPathComponent
    return Int(name.prefix { $0.isNumber }) ?? 0
}
