import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

extension RecordMode: ExpressibleByArgument {}

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run every case of the workflows and compare each step's output with its golden file.",
        discussion: """
            Goldens live in golden/<workflow>/<case>/<step>.txt|.json (fan-out items in <step>/001.txt, …). \
            Cases come from a workflow's `cases:` and from folders golden/<workflow>/<case>/ holding an \
            inputs.yaml. Model calls are replayed from golden.recordings.json when the case has one (no model, \
            no network); --live calls the provider and records its answers.

            Record modes (which goldens are written): --record, else QUIRE_RECORD, else `never` when CI is \
            set, else `missing`. A run that writes goldens never succeeds: run it again to check them.

            Changed outputs are printed as unified diffs and kept in .quire/test-output/, with the exact \
            `quire accept` command that makes them the goldens.

            Exit codes: 0 every step passed and nothing was written, 1 a regression (changed, stale, missing, \
            failed) or goldens were written, 64 invalid workflow files or options.

            Examples:
              quire test
              quire test publishing-report --case swift-concurrency --step plan
              quire test --live --record failed
              quire test --affected main --junit test-results.xml
              quire test review-digest --live --samples 5
              quire test --render-only
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Workflows to test (default: every workflow with cases).")
    var workflows: [String] = []

    @Option(name: .customLong("case"), help: ArgumentHelp("Only this case (repeatable).", valueName: "name"))
    var cases: [String] = []

    @Option(name: .customLong("step"), help: ArgumentHelp("Only compare this step (repeatable); the steps it depends on still run.", valueName: "id"))
    var steps: [String] = []

    @Option(help: ArgumentHelp("Which goldens to write: all, failed, missing or never (default: QUIRE_RECORD, else never when CI is set, else missing).", valueName: "mode"))
    var record: RecordMode?

    @Flag(help: "Answer every model call from the recordings; a request that was not recorded fails its step.")
    var replay = false

    @Flag(help: "Call the model (the workspace's provider) and record the answers.")
    var live = false

    @Option(help: ArgumentHelp("Also write the results as JUnit XML to this file.", valueName: "file"))
    var junit: String?

    @Flag(help: "Print the results as JSON on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Run each case N times against the live model and report each step's pass rate (implies --live; records nothing).", valueName: "n"))
    var samples: Int = 1

    @Option(
        defaultAsFlag: "HEAD", parsing: .next,
        help: ArgumentHelp("Only the cases whose workflow, prompts, included partials or goldens changed since a git revision (default HEAD: uncommitted changes). Name workflows before this option, or write --affected=REV.", valueName: "rev"))
    var affected: String? = nil

    @Flag(help: "Compare the rendered requests with the recorded ones (template steps: their output with the golden), with no model at all.")
    var renderOnly = false

    @Option(help: "The most model calls in flight at once within a case (default: the workflow's or quire.yaml's `concurrency`, else 8).")
    var concurrency: Int?

    func validate() throws {
        if replay && live { throw ValidationError("--replay and --live exclude each other") }
        if samples < 1 { throw ValidationError("--samples must be at least 1") }
        if samples > 1 && replay { throw ValidationError("--samples runs the live model several times; it cannot be combined with --replay") }
        if samples > 1, let record, record != .never { throw ValidationError("--samples records nothing; it cannot be combined with --record \(record.rawValue)") }
        if renderOnly && (live || replay || samples > 1) { throw ValidationError("--render-only calls no model; it cannot be combined with --live, --replay or --samples") }
        if renderOnly, let record, record != .never { throw ValidationError("--render-only writes no goldens; it cannot be combined with --record \(record.rawValue)") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let root = try global.root()
        let (workspace, fs) = try global.loadWorkspace()
        let environment = ProviderResolver.environment(workspaceRoot: root)
        var problems: [Diagnostic] = []
        for name in workflows where workspace.workflowPaths[name] == nil {
            problems.append(.error("workflow.not-found", "no workflow '\(name)' in \(workspace.config.paths.workflows)/", suggestion: Suggestions.didYouMean(name, in: workspace.workflowPaths.keys)))
        }
        if problems.hasErrors {
            global.report(problems, sources: [:])
            throw ExitCodes.usage
        }
        let recordMode: RecordMode
        switch RecordMode.resolve(flag: renderOnly ? RecordMode.never : record, environment: ProcessInfo.processInfo.environment) {
        case .failure(let problem):
            global.report([problem], sources: [:])
            throw ExitCodes.usage
        case .success(let mode): recordMode = mode
        }

        let validation = WorkspaceValidator(workspace: workspace).validate(workflows: workflows.isEmpty ? nil : workflows)
        if validation.diagnostics.hasErrors {
            global.report(validation.diagnostics, sources: workspace.sources)
            throw ExitCodes.usage
        }
        let store = GoldenStore(fileSystem: fs, goldenRoot: workspace.config.paths.golden)
        let names = workflows.isEmpty ? validation.analyses.keys.sorted() : workflows

        // --affected: only what the changes since a revision can affect.
        var affectedSelection: [String: AffectedCases.Selection]?
        if let revision = affected {
            switch GitChanges.changedFiles(since: revision, in: root) {
            case .failure(var problem):
                if workspace.workflowPaths[revision] != nil {
                    problem.suggestion = "'\(revision)' is a workflow: name workflows before --affected (`quire test \(revision) --affected`), or write --affected=REV"
                }
                global.report([problem], sources: [:])
                throw ExitCodes.usage
            case .success(let changed):
                affectedSelection = AffectedCases.select(changed: changed, workspace: workspace, analyses: validation.analyses)
            }
        }

        // Cases of each workflow.
        var plans: [(WorkflowAnalysis, [GoldenCase])] = []
        var knownCases = Set<String>()
        for name in names {
            guard let analysis = validation.analyses[name] else { continue }
            if !steps.isEmpty && workflows.count != 1 && !steps.contains(where: { analysis.steps[$0] != nil }) { continue }
            let (found, caseProblems) = GoldenCasePlanner.cases(of: analysis.workflow, folders: store.caseFolders(workflow: name), goldenRoot: store.goldenRoot)
            problems += caseProblems
            knownCases.formUnion(found.map(\.name))
            for id in steps where analysis.steps[id] == nil && workflows.count == 1 {
                problems.append(.error("test.unknown-step", "workflow '\(name)' has no step '\(id)'", suggestion: Suggestions.didYouMean(id, in: analysis.order)))
            }
            var selected = cases.isEmpty ? found : found.filter { cases.contains($0.name) }
            if let selection = affectedSelection {
                selected = selected.filter { selection[name]?.includes($0.name) == true }
            }
            if !selected.isEmpty { plans.append((analysis, selected)) }
        }
        for name in cases where !knownCases.contains(name) {
            problems.append(.error("test.unknown-case", "no case '\(name)' in \(workflows.isEmpty ? "any workflow" : workflows.map { "'\($0)'" }.joined(separator: ", "))", suggestion: Suggestions.didYouMean(name, in: knownCases)))
        }
        if !steps.isEmpty && workflows.count != 1 {
            let allSteps = Set(plans.flatMap { $0.0.order })
            for id in steps where !allSteps.contains(id) {
                problems.append(.error("test.unknown-step", "no tested workflow has a step '\(id)'", suggestion: Suggestions.didYouMean(id, in: allSteps)))
            }
        }
        global.report(problems, sources: workspace.sources)
        if problems.hasErrors { throw ExitCodes.usage }
        let tested = Set(plans.map { $0.0.workflow.path })
        global.report(validation.diagnostics.filter { $0.location.map { tested.contains($0.file) } == true }, sources: workspace.sources)
        if plans.isEmpty {
            let why = affectedSelection != nil ? "no case is affected by the changes since \(affected ?? "HEAD")" : "no cases to test: add `cases:` to a workflow, or folders with an inputs.yaml under \(store.goldenRoot)/<workflow>/"
            Console.out(why)
            if affectedSelection != nil { return }
            throw ExitCodes.failure
        }
        if let selection = affectedSelection {
            for (analysis, _) in plans {
                let reasons = selection[analysis.workflow.name]?.reasons ?? []
                Console.err("affected: \(analysis.workflow.name)\(reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))")")
            }
        }

        // Run.
        var results: [GoldenCaseResult] = []
        for (analysis, selected) in plans {
            let options = GoldenTester.Options(
                record: recordMode, source: samples > 1 || live ? .live : replay ? .replay : .auto, steps: steps.filter { analysis.steps[$0] != nil },
                samples: samples, renderOnly: renderOnly,
                concurrency: concurrency ?? analysis.workflow.concurrency ?? workspace.config.concurrency ?? 8)
            let tester = GoldenTester(workspace: workspace, store: store, environment: environment, options: options)
            results += await tester.test(analysis, cases: selected)
        }
        let report = GoldenReport(cases: results, record: recordMode, outputRoot: GoldenStore.outputRoot)
        let suffix = global.workspace.map { " -C \(ShellWord.quote($0))" } ?? ""

        var success = report.success
        if let junit {
            do { try AtomicFileWriter.write(report.junitXML, to: URL(fileURLWithPath: junit, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))) } catch {
                global.report([.error("test.write-failed", "cannot write the JUnit report \(junit): \(error.localizedDescription)")], sources: [:])
                success = false
            }
        }
        if json {
            Console.out(JSONText.encode(report.jsonValue(acceptSuffix: suffix), pretty: true))
        } else {
            Console.out(GoldenOutput.text(report, color: global.terminal.colorOnStdout, acceptSuffix: suffix))
        }
        if !success { throw ExitCodes.failure }
    }
}
