import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport

/// A copy of the example workspace in a temporary folder, pointed at a fake OpenAI-compatible server.
final class RunnerHarness: @unchecked Sendable {
    let root: URL
    let server: FakeOpenAIServer

    static let planMarker = "You plan short technical reports"

    /// `baseURL` points the workspace elsewhere than at `server` (say, at a ``RefusingPort``).
    init(server: FakeOpenAIServer = FakeOpenAIServer(), baseURL: String? = nil, extraConfig: String = "") async throws {
        self.server = server
        try await server.start()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("quire-run-\(UUID().uuidString)")
        for (path, text) in ExampleWorkspace.files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try """
            provider: fake
            defaults:
              model: fake-model
            providers:
              fake:
                base_url: \(baseURL ?? server.baseURL)
                api_key_env: FAKE_API_KEY
            \(extraConfig)
            """.write(to: root.appendingPathComponent("quire.yaml"), atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func stop() async { await server.stop() }

    /// Answers plan requests with a bulleted list of `titles` and every other request with a section text.
    func answerPlans(with titles: [String]) {
        server.setResponder { request in
            if request.messages.first?.content.contains(RunnerHarness.planMarker) == true {
                return FakeResponse(titles.map { "- \($0)" }.joined(separator: "\n"))
            }
            return FakeResponse(FakeReply.defaultReply(to: request.messages))
        }
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    struct Prepared {
        var workspace: Workspace
        var analysis: WorkflowAnalysis
        var inputs: [String: Value]
    }

    func prepare(_ workflow: String, variables: [(String, String)] = [], caseName: String? = nil, resolveInputs: Bool = true) throws -> Prepared {
        let workspace = WorkspaceLoader(fileSystem: LocalFileSystem(root: root)).load()
        let result = WorkspaceValidator(workspace: workspace).validate(workflows: [workflow])
        guard let analysis = result.analyses[workflow] else { throw DiagnosticError(result.diagnostics) }
        let inputs = resolveInputs ? try InputResolver.resolve(workflow: analysis.workflow, variables: variables.map { (name: $0.0, text: $0.1) }, caseName: caseName).get() : [:]
        return Prepared(workspace: workspace, analysis: analysis, inputs: inputs)
    }

    /// Runs a workflow through the library, with fast retries.
    func run(
        _ workflow: String, variables: [(String, String)] = [], caseName: String? = nil, runID: String = "test-run",
        options: RunOptions = RunOptions(),
        environment: [String: String] = [:], retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), deadline: .seconds(20)),
        timeouts: ProviderTimeouts = ProviderTimeouts(connect: .seconds(2), read: .seconds(2), request: .seconds(5)),
        resume: Bool = false, observer: any RunObserver = SilentObserver(), history: (any RunHistorySink)? = nil
    ) async throws -> (RunOutcome, RunFolder) {
        let prepared = try prepare(workflow, variables: variables, caseName: caseName, resolveInputs: !resume)
        let relative = "output/\(workflow)/\(runID)"
        let folder = RunFolder(url: root.appendingPathComponent(relative), relativePath: relative)
        let resolver = ProviderResolver(config: prepared.workspace.config, environment: environment)
        let clients = ClientPool(resolver: resolver) { configuration, limiter in
            var configuration = configuration
            configuration.retry = retry
            configuration.timeouts = timeouts
            return OpenAIClient(configuration: configuration, rateLimiter: limiter)
        }
        var state = ResumeState()
        let store: RunStore
        var inputs = prepared.inputs
        if resume {
            let manifest = try RunStore.loadManifest(folder: folder)
            state = ResumeState.load(manifest: manifest, folder: folder, analysis: prepared.analysis)
            inputs = manifest.inputs
            store = RunStore(folder: folder, manifest: manifest, clock: { Date() })
            try await store.markResumed()
        } else {
            let manifest = RunManifest(
                quireVersion: "test", runID: runID, workflow: workflow, workflowPath: prepared.analysis.workflow.path,
                workflowSHA256: "", caseName: nil, startedAt: "now", inputs: inputs, order: prepared.analysis.order)
            store = RunStore(folder: folder, manifest: manifest, clock: { Date() }, history: history)
            try await store.save()
        }
        let runner = WorkflowRunner(
            workspace: prepared.workspace, analysis: prepared.analysis, resolver: resolver, clients: clients, store: store,
            options: options, observer: observer)
        let problems = runner.preflight()
        if problems.hasErrors { throw DiagnosticError(problems) }
        let earlier = await store.manifest
        let overBudget = runner.budgetProblems(inputs: inputs, previous: state.outputs, spent: earlier.usage, spentCost: earlier.costUSD ?? 0)
        if overBudget.hasErrors { throw DiagnosticError(overBudget) }
        let outcome = await runner.run(inputs: inputs, previous: state.outputs, previousItems: state.items)
        await clients.shutdown()
        return (outcome, folder)
    }
}

/// Keeps what the run store tells a history: the steps changed at each write, and each step's last status.
final class RecordingHistory: RunHistorySink, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(manifest: Value, changedSteps: Set<String>?)] = []

    func record(manifest: Value, folder: String, changedSteps: Set<String>?) {
        lock.withLock { calls.append((manifest, changedSteps)) }
    }

    var changedSteps: [Set<String>?] { lock.withLock { calls.map(\.changedSteps) } }

    /// Each step's status as last told, counting a step only in the writes that said it changed.
    var lastStatuses: [String: String] {
        lock.withLock {
            var statuses: [String: String] = [:]
            for call in calls {
                let steps = call.manifest.objectValue?["steps"]?.objectValue ?? [:]
                for (id, step) in steps where call.changedSteps?.contains(id) ?? true {
                    statuses[id] = step.objectValue?["status"]?.stringValue
                }
            }
            return statuses
        }
    }
}

/// Collects events for assertions.
final class RecordingObserver: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [RunEvent] = []
    var events: [RunEvent] { lock.withLock { storage } }
    func handle(_ event: RunEvent) { lock.withLock { storage.append(event) } }
}
