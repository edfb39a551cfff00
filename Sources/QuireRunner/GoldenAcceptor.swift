import Foundation
import QuireCore

/// `quire accept`: copies the last test run's actual outputs of chosen steps over their goldens, with
/// their metadata and recorded exchanges.
public struct GoldenAcceptor: Sendable {
    public let workspace: Workspace
    public let store: GoldenStore

    public init(workspace: Workspace, store: GoldenStore) {
        self.workspace = workspace
        self.store = store
    }

    public struct Accepted: Sendable, Hashable {
        public var caseName: String
        public var step: String
        /// The golden files written, workspace-relative.
        public var files: [String]
        /// Golden files removed (fan-out items that are no longer produced).
        public var removed: [String]
    }

    public struct Outcome: Sendable {
        public var accepted: [Accepted] = []
        public var diagnostics: [Diagnostic] = []
    }

    /// Statuses of the last test run that `accept` takes when no `--step` is named.
    static let acceptedByDefault: Set<String> = ["changed", "missing", "stale"]

    /// - Parameters:
    ///   - cases: the cases to accept (empty: every case of the last test run).
    ///   - steps: the steps to accept (empty: every step whose last result was changed, missing or stale).
    public func accept(_ analysis: WorkflowAnalysis, cases: [String], steps: [String]) -> Outcome {
        var outcome = Outcome()
        let workflow = analysis.workflow.name
        let outputBase = "\(GoldenStore.outputRoot)/\(workflow)"
        let tested = ((try? store.fileSystem.listDirectory(outputBase)) ?? [])
            .filter { $0.isDirectory && store.fileSystem.fileExists("\(outputBase)/\($0.name)/\(GoldenMetadata.fileName)") }
            .map(\.name).sorted()
        guard !tested.isEmpty else {
            outcome.diagnostics.append(.error(
                "accept.no-test-output", "no test output for workflow '\(workflow)' in \(outputBase)/",
                suggestion: "run `quire test \(workflow)` first; accept takes the outputs it kept"))
            return outcome
        }
        for name in cases where !tested.contains(name) {
            outcome.diagnostics.append(.error(
                "accept.unknown-case", "the last test run of '\(workflow)' has no case '\(name)' (tested: \(tested.joined(separator: ", ")))",
                suggestion: Suggestions.didYouMean(name, in: tested)))
        }
        for id in steps where analysis.steps[id] == nil {
            outcome.diagnostics.append(.error(
                "accept.unknown-step", "workflow '\(workflow)' has no step '\(id)'", suggestion: Suggestions.didYouMean(id, in: analysis.order)))
        }
        if outcome.diagnostics.hasErrors { return outcome }

        for caseName in cases.isEmpty ? tested : cases {
            let outputFolder = "\(outputBase)/\(caseName)"
            let goldenFolder = store.goldenFolder(workflow: workflow, caseName: caseName)
            let candidate = store.read(outputFolder)
            guard var candidateMeta = candidate.metadata else { continue }
            let chosen = steps.isEmpty
                ? analysis.order.filter { Self.acceptedByDefault.contains(candidateMeta.results[$0] ?? "") }
                : analysis.order.filter(steps.contains)
            var accepted: [String] = []
            for id in chosen {
                guard let entry = candidateMeta.steps[id], let step = analysis.steps[id] else {
                    let result = candidateMeta.results[id].map { " (its result was '\($0)')" } ?? " (it was not tested)"
                    outcome.diagnostics.append(.error(
                        "accept.no-output", "case '\(caseName)': the last test run has no output of step '\(id)' to accept\(result)",
                        suggestion: "run `quire test \(workflow) --case \(caseName)` (with --live after a replay miss) first"))
                    continue
                }
                // Prompts and partials must still be the ones that produced the output.
                var then = entry.stamp
                then.provider = nil
                then.model = nil
                then.parameters = [:]
                let changes = GoldenStamp.current(step, workspace: workspace, parameters: nil, provider: nil).changes(since: then)
                if !changes.isEmpty {
                    outcome.diagnostics.append(.error(
                        "accept.out-of-date", "case '\(caseName)', step '\(id)': the output was made before a change: \(changes.joined(separator: "; "))",
                        suggestion: "run `quire test \(workflow) --case \(caseName)` again, review, then accept"))
                    continue
                }
                accepted.append(id)
            }
            guard !accepted.isEmpty else { continue }

            let golden = store.read(goldenFolder)
            var metadata = golden.metadata ?? GoldenMetadata(workflow: workflow, caseName: caseName, inputs: candidateMeta.inputs)
            metadata.inputs = candidateMeta.inputs
            metadata.results = [:]
            do {
                for id in accepted {
                    let files = candidate.files(of: id)
                    let existing = golden.files(of: id)
                    try store.replaceStepFiles(step: id, files: files, in: goldenFolder, existing: existing)
                    metadata.steps[id] = candidateMeta.steps[id]
                    candidateMeta.results[id] = "accepted"
                    outcome.accepted.append(Accepted(
                        caseName: caseName, step: id,
                        files: files.keys.sorted(by: GoldenEvaluator.pathOrder).map { "\(goldenFolder)/\($0)" },
                        removed: existing.keys.filter { files[$0] == nil }.sorted(by: GoldenEvaluator.pathOrder).map { "\(goldenFolder)/\($0)" }))
                }
                try store.write(metadata, in: goldenFolder)
                let exchanges = (candidate.recordings ?? GoldenRecordings()).exchanges.filter { accepted.contains($0.step) }
                let recordings = (golden.recordings ?? GoldenRecordings()).replacing(steps: Set(accepted), with: exchanges, order: analysis.order)
                if !recordings.exchanges.isEmpty || golden.recordings != nil { try store.write(recordings, in: goldenFolder) }
                try store.write(candidateMeta, in: outputFolder)
            } catch {
                outcome.diagnostics.append(.error("accept.write-failed", "cannot write the goldens of case '\(caseName)' in \(goldenFolder): \(error.localizedDescription)"))
            }
        }
        if outcome.accepted.isEmpty && !outcome.diagnostics.hasErrors {
            outcome.diagnostics.append(.warning(
                "accept.nothing", "nothing to accept: every step of the last test run of '\(workflow)' passed or was recorded already",
                suggestion: "name a step with --step to accept it anyway"))
        }
        return outcome
    }
}
