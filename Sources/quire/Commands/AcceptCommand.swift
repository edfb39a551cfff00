import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

struct AcceptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Make the last `quire test` run's actual outputs the goldens, after review.",
        discussion: """
            Copies .quire/test-output/<workflow>/<case>/ over golden/<workflow>/<case>/ for the chosen steps: \
            their output files (fan-out items that are no longer produced are removed), what produced them \
            (golden.meta.json) and their recorded model exchanges (golden.recordings.json). Without --step, \
            the steps whose last result was changed, missing or stale are accepted. Refuses outputs made \
            before a prompt or partial changed. Commit golden/ afterwards.

            Examples:
              quire accept publishing-report
              quire accept publishing-report --case swift-concurrency --step report
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The workflow whose test outputs to accept.")
    var workflow: String

    @Option(name: .customLong("case"), help: ArgumentHelp("Only this case (repeatable; default: every case of the last test run).", valueName: "name"))
    var cases: [String] = []

    @Option(name: .customLong("step"), help: ArgumentHelp("Only this step (repeatable; default: the steps that did not pass).", valueName: "id"))
    var steps: [String] = []

    func run() async throws {
        let (workspace, fs) = try global.loadWorkspace()
        guard workspace.workflowPaths[workflow] != nil else {
            global.report([.error("workflow.not-found", "no workflow '\(workflow)' in \(workspace.config.paths.workflows)/", suggestion: Suggestions.didYouMean(workflow, in: workspace.workflowPaths.keys))], sources: [:])
            throw ExitCodes.usage
        }
        let validation = WorkspaceValidator(workspace: workspace).validate(workflows: [workflow])
        guard let analysis = validation.analyses[workflow], !validation.diagnostics.hasErrors else {
            global.report(validation.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        }
        let store = GoldenStore(fileSystem: fs, goldenRoot: workspace.config.paths.golden)
        let outcome = GoldenAcceptor(workspace: workspace, store: store).accept(analysis, cases: cases, steps: steps)
        for accepted in outcome.accepted {
            Console.out("accepted \(workflow) · \(accepted.caseName) · \(accepted.step)")
            for file in accepted.files { Console.out("  \(file)") }
            for file in accepted.removed { Console.out("  \(file) (removed)") }
        }
        global.report(outcome.diagnostics, sources: [:])
        if !outcome.accepted.isEmpty {
            Console.out("check with `quire test \(workflow)`, then commit \(store.goldenRoot)/\(workflow)/")
        }
        if outcome.diagnostics.hasErrors {
            throw outcome.diagnostics.contains(where: { $0.id == "accept.unknown-case" || $0.id == "accept.unknown-step" }) ? ExitCodes.usage : ExitCodes.failure
        }
    }
}
