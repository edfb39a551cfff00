import Foundation
import QuireCore
import QuireRunner

/// `quire-bench runs`: N runs of one workflow at the same time in this one process, wired the way
/// `quire run` wires one (workspace loaded and validated once; per run its own run folder, manifest
/// store and runner). Reads OPENAI_API_KEY / OPENAI_BASE_URL like `quire run`.
///
///   quire-bench runs -C DIR WORKFLOW --count N [--var k=v]… [--provider P] [--model M]
///                    [--out-prefix P] [--shared-client]
///
/// By default each run has its own client pool (as N `quire run` processes would); `--shared-client`
/// gives all runs one, as an application embedding Quire would. Prints one line per run:
/// `run-folder status seconds`.
enum ConcurrentRuns {
    struct Options {
        var workspace = "."
        var workflow = ""
        var count = 20
        var variables: [(name: String, text: String)] = []
        var provider: String?
        var model: String?
        var outPrefix = "output/bench-inprocess"
        var sharedClient = false
    }

    static func parse(_ arguments: ArraySlice<String>) -> Options {
        var options = Options()
        var rest = arguments
        while let argument = rest.popFirst() {
            if argument == "--shared-client" {
                options.sharedClient = true
                continue
            }
            guard argument.hasPrefix("-") else {
                options.workflow = argument
                continue
            }
            guard let value = rest.popFirst() else { fail("missing value after \(argument)") }
            switch argument {
            case "-C": options.workspace = value
            case "--count":
                guard let n = Int(value), (1...1000).contains(n) else { fail("--count wants 1…1000") }
                options.count = n
            case "--var":
                guard let assignment = InputResolver.parseAssignment(value) else { fail("--var wants name=value") }
                options.variables.append(assignment)
            case "--provider": options.provider = value
            case "--model": options.model = value
            case "--out-prefix": options.outPrefix = value
            default: fail("unknown option \(argument)")
            }
        }
        guard !options.workflow.isEmpty else { fail("name a workflow") }
        return options
    }

    static func run(_ arguments: ArraySlice<String>) async {
        let options = parse(arguments)
        let root = URL(fileURLWithPath: options.workspace).standardizedFileURL
        let fs = LocalFileSystem(root: root)
        let workspace = WorkspaceLoader(fileSystem: fs).load()
        let validation = WorkspaceValidator(workspace: workspace).validate(workflows: [options.workflow])
        guard let analysis = validation.analyses[options.workflow], !validation.diagnostics.hasErrors else {
            fail(
                "the workflow does not validate:\n\(validation.diagnostics.map(\.description).joined(separator: "\n"))")
        }
        let inputs: [String: Value]
        switch InputResolver.resolve(workflow: analysis.workflow, variables: options.variables) {
        case .failure(let error): fail("inputs: \(error)")
        case .success(let values): inputs = values
        }
        let resolver = ProviderResolver(
            config: workspace.config, environment: ProviderResolver.environment(workspaceRoot: root))
        let runOptions = RunOptions(
            concurrency: analysis.workflow.concurrency ?? workspace.config.concurrency ?? 8, stream: false,
            model: options.model, provider: options.provider)
        let shared = options.sharedClient ? ClientPool(resolver: resolver) : nil
        let sha = (try? fs.readFile(analysis.workflow.path)).map(ContentHash.sha256) ?? ""

        let results = await withTaskGroup(of: (Int, String, Double).self) { group in
            for index in 1...options.count {
                group.addTask {
                    let start = ContinuousClock.now
                    let relative = "\(options.outPrefix)-\(index)"
                    guard let url = try? fs.url(relative) else { return (index, "bad-folder", 0) }
                    let now = Date()
                    let manifest = RunManifest(
                        quireVersion: "bench", runID: RunID.make(date: now), workflow: options.workflow,
                        workflowPath: analysis.workflow.path, workflowSHA256: sha, caseName: nil,
                        startedAt: RunID.timestamp(now), inputs: inputs, order: analysis.order)
                    let store = RunStore(
                        folder: RunFolder(url: url, relativePath: relative), manifest: manifest, clock: { Date() })
                    let clients = shared ?? ClientPool(resolver: resolver)
                    let runner = WorkflowRunner(
                        workspace: workspace, analysis: analysis, resolver: resolver, clients: clients, store: store,
                        options: runOptions)
                    guard !runner.preflight().hasErrors, (try? await store.save()) != nil else {
                        return (index, "preflight-failed", 0)
                    }
                    let outcome = await runner.run(inputs: inputs)
                    if shared == nil { await clients.shutdown() }
                    let elapsed = ContinuousClock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    return (index, outcome.status.rawValue, seconds)
                }
            }
            var all: [(Int, String, Double)] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }
        }
        await shared?.shutdown()
        var failed = 0
        for (index, status, seconds) in results {
            print("\(options.outPrefix)-\(index) \(status) \(String(format: "%.3f", seconds))")
            if status != "succeeded" { failed += 1 }
        }
        if failed > 0 { exit(1) }
    }
}
