import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport

/// A model client that answers in-process from a closure and counts its calls: the "live model" of
/// golden tests that need no HTTP.
struct ScriptedClient: ModelClient {
    let answer: @Sendable (ChatRequest) -> String
    let calls: CallCounter

    func complete(_ request: ChatRequest, stream: Bool, onDelta: (@Sendable (String) -> Void)?) async throws(ProviderError) -> ChatCompletion {
        calls.increment()
        let content = answer(request)
        return ChatCompletion(
            content: content, finishReason: .stop, usage: TokenUsage(prompt: 20, completion: FakeReply.tokenCount(content)),
            model: request.model, responseID: nil, attempts: 1, latency: .zero)
    }

    func listModels() async throws(ProviderError) -> [String] { [] }
}

final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
}

/// A workspace in a temporary folder for golden tests: the repository's example (with or without its
/// checked-in goldens) or given files, tested through ``GoldenTester``.
final class GoldenHarness: @unchecked Sendable {
    let root: URL
    let calls = CallCounter()

    /// The example workspace's files as `quire init` writes them (prompts, workflows, goldens).
    static var exampleFiles: [String: String] { ExampleWorkspace.files }

    init(files: [String: String] = GoldenHarness.exampleFiles, goldens: Bool = false) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("quire-golden-\(UUID().uuidString)")
        for (path, text) in files where goldens || !path.hasPrefix("golden/") {
            try write(path, text)
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) }

    /// Replaces `old` with `new` in a file; fails the test if `old` is not there.
    func edit(_ path: String, replacing old: String, with new: String) throws {
        let text = try read(path)
        guard text.contains(old) else { throw EditFailed(path: path, old: old) }
        try write(path, text.replacingOccurrences(of: old, with: new))
    }

    struct EditFailed: Error { var path: String; var old: String }

    var fileSystem: LocalFileSystem { LocalFileSystem(root: root) }

    /// Loads and validates the workspace, finds the cases of `workflow` and tests them.
    /// - Parameter answer: the live model (used when the source is live, or auto without recordings).
    func test(
        _ workflow: String, options: GoldenTester.Options = GoldenTester.Options(), cases: [String] = [],
        environment: [String: String] = [:], answer: @escaping @Sendable (ChatRequest) -> String = { ExampleResponder.answer($0.messages) }
    ) async throws -> GoldenReport {
        let workspace = WorkspaceLoader(fileSystem: fileSystem).load()
        let validation = WorkspaceValidator(workspace: workspace).validate(workflows: [workflow])
        guard let analysis = validation.analyses[workflow] else { throw DiagnosticError(validation.diagnostics) }
        let store = GoldenStore(fileSystem: fileSystem, goldenRoot: workspace.config.paths.golden)
        let (found, problems) = GoldenCasePlanner.cases(of: analysis.workflow, folders: store.caseFolders(workflow: workflow), goldenRoot: store.goldenRoot)
        if problems.hasErrors { throw DiagnosticError(problems) }
        let selected = cases.isEmpty ? found : found.filter { cases.contains($0.name) }
        let calls = self.calls
        let tester = GoldenTester(
            workspace: workspace, store: store, environment: environment,
            liveClients: .unconfigured { _ in ScriptedClient(answer: answer, calls: calls) }, options: options)
        let results = await tester.test(analysis, cases: selected)
        return GoldenReport(cases: results, record: options.record, outputRoot: GoldenStore.outputRoot)
    }

    /// `quire accept` through the library.
    func accept(_ workflow: String, cases: [String] = [], steps: [String] = []) throws -> GoldenAcceptor.Outcome {
        let workspace = WorkspaceLoader(fileSystem: fileSystem).load()
        let validation = WorkspaceValidator(workspace: workspace).validate(workflows: [workflow])
        guard let analysis = validation.analyses[workflow] else { throw DiagnosticError(validation.diagnostics) }
        let store = GoldenStore(fileSystem: fileSystem, goldenRoot: workspace.config.paths.golden)
        return GoldenAcceptor(workspace: workspace, store: store).accept(analysis, cases: cases, steps: steps)
    }
}

extension GoldenReport {
    /// `case/step: status` for every step, in order, for compact assertions.
    var statuses: [String] {
        cases.flatMap { result in result.steps.map { "\(result.caseName)/\($0.step): \($0.status.rawValue)\($0.recorded ? " (recorded)" : "")" } }
    }

    func step(_ caseName: String, _ step: String) -> GoldenStepResult? {
        cases.first { $0.caseName == caseName }?.steps.first { $0.step == step }
    }
}
