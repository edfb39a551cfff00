import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The goldens and recordings of the repository's example workspace (`golden/` at the root).
@Suite("The example workspace's goldens", .serialized)
struct ExampleGoldensTests {
    /// Set to 1 to re-record them: `scripts/record-example-goldens` (see CONTRIBUTING.md).
    static let recordVariable = "QUIRE_RECORD_EXAMPLE_GOLDENS"

    @Test func checkedInGoldensPassInReplayMode() async throws {
        let harness = try GoldenHarness(goldens: true)
        for workflow in ["publishing-report", "review-digest"] {
            let report = try await harness.test(workflow, options: GoldenTester.Options(record: .never, source: .replay))
            #expect(report.success, "\(report.statuses) — re-record with scripts/record-example-goldens")
            #expect(report.cases.allSatisfy { $0.source == .replay })
        }
        #expect(harness.calls.count == 0)
    }

    @Test func recordedAnswersLookLikeRealOnes() throws {
        let plan = try String(contentsOf: repositoryRoot.appendingPathComponent("golden/publishing-report/swift-concurrency/plan.json"), encoding: .utf8)
        let titles = try #require(try JSONText.decode(plan).listValue)
        #expect(titles.count == 4)
        let recordings = try GoldenRecordings(json: String(contentsOf: repositoryRoot.appendingPathComponent("golden/publishing-report/swift-concurrency/golden.recordings.json"), encoding: .utf8))
        let planAnswer = try #require(recordings.exchanges.first { $0.step == "plan" }?.response.content)
        #expect(TextLines.split(planAnswer).allSatisfy { $0.hasPrefix("- ") })

        // Review facts are JSON that the workflow's response schema accepts.
        let workspace = WorkspaceLoader(fileSystem: LocalFileSystem(root: repositoryRoot)).load()
        guard case .jsonSchema(_, let schema, _) = workspace.workflows["review-digest"]?.step("facts")?.parameters.responseFormat else {
            Issue.record("the facts step has no response schema")
            return
        }
        let facts = try GoldenRecordings(json: String(contentsOf: repositoryRoot.appendingPathComponent("golden/review-digest/kettle/golden.recordings.json"), encoding: .utf8))
            .exchanges.filter { $0.step == "facts" }
        #expect(facts.count == 3)
        for exchange in facts {
            #expect(JSONSchema(schema).validate(try JSONText.decode(exchange.response.content)) == [], "\(exchange.label)")
        }
    }

    /// Re-records the example's goldens and recordings with ``ExampleResponder`` behind a real HTTP
    /// server (the fake OpenAI-compatible one), as the built-in `local` provider with its default model.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[recordVariable] == "1"))
    func recordExampleGoldens() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        server.setResponder { request in FakeResponse(ExampleResponder.answer(request.messages)) }
        let harness = try GoldenHarness(goldens: false)
        let workspace = WorkspaceLoader(fileSystem: harness.fileSystem).load()
        let validation = WorkspaceValidator(workspace: workspace).validate()
        let store = GoldenStore(fileSystem: harness.fileSystem, goldenRoot: "golden")
        let baseURL = server.baseURL
        let tester = GoldenTester(
            workspace: workspace, store: store, environment: [:],
            liveClients: .unconfigured { provider in
                OpenAIClient(configuration: ProviderConfiguration(name: provider.name, baseURL: baseURL, apiKey: nil, capabilities: provider.capabilities))
            },
            options: GoldenTester.Options(record: .all, source: .live))
        for (name, analysis) in validation.analyses.sorted(by: { $0.key < $1.key }) {
            let (cases, _) = GoldenCasePlanner.cases(of: analysis.workflow, folders: store.caseFolders(workflow: name), goldenRoot: "golden")
            let results = await tester.test(analysis, cases: cases)
            #expect(results.allSatisfy { $0.steps.allSatisfy { $0.recorded } }, "\(results)")
        }
        await server.stop()
        let golden = repositoryRoot.appendingPathComponent("golden")
        try? FileManager.default.removeItem(at: golden)
        try FileManager.default.copyItem(at: harness.root.appendingPathComponent("golden"), to: golden)
        print("re-recorded \(golden.path); now run: python3 scripts/generate-example-workspace.py")
    }
}
