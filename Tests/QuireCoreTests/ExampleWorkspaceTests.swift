import Foundation
import Testing
@testable import QuireCore

@Suite("The example workspace")
struct ExampleWorkspaceTests {
    @Test func embeddedCopyMatchesTheRepository() throws {
        for (path, text) in ExampleWorkspace.files where path != ".gitignore" && path != "output/.gitkeep" {
            let onDisk = try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
            #expect(onDisk == text, "\(path) differs from the copy `quire init` writes; run: python3 scripts/generate-example-workspace.py")
        }
        let generator = repositoryRoot.appendingPathComponent("scripts/generate-example-workspace.py")
        #expect(FileManager.default.fileExists(atPath: generator.path))
    }

    @Test func everyExampleFileIsEmbedded() throws {
        var onDisk: [String] = ["quire.yaml"]
        for top in ["prompts", "workflows", "golden"] {
            let base = repositoryRoot.appendingPathComponent(top)
            guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let path as String in enumerator where !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory)
                if !isDirectory.boolValue { onDisk.append("\(top)/\(path)") }
            }
        }
        let embedded = Set(ExampleWorkspace.files.keys).subtracting([".gitignore", "output/.gitkeep"])
        #expect(embedded == Set(onDisk), "run: python3 scripts/generate-example-workspace.py")
    }

    @Test func exampleValidatesWithoutErrorsOrWarnings() {
        let workspace = TestWorkspace(ExampleWorkspace.files)
        let result = workspace.validate()
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.analyses.keys.sorted() == ["publishing-report", "review-digest"])
    }

    @Test func publishingReportRendersEveryStepInOrder() throws {
        let workspace = TestWorkspace(ExampleWorkspace.files).load()
        let analysis = try #require(WorkspaceValidator(workspace: workspace).validate().analyses["publishing-report"])
        let inputs = try InputResolver.resolve(workflow: analysis.workflow, caseName: "swift-concurrency").get()
        let entries = RenderPreview(workspace: workspace, analysis: analysis).entries(inputs: inputs)
        #expect(entries.map(\.stepId) == ["plan", "sections", "report"])
        #expect(entries.allSatisfy { $0.problems.isEmpty })
        let plan = try #require(entries[0].rendered)
        #expect(plan.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(plan.messages.last?.content == "Plan a report about Structured concurrency in Swift with 4 sections.")
        #expect(plan.parameters.temperature == 0.2)
        #expect(plan.parameters.maxTokens == 200)
        let section = try #require(entries[1].rendered)
        #expect(section.messages.last?.content.contains("\"⟨plan[1]⟩\"") == true)
        let report = try #require(entries[2].rendered)
        #expect(!report.callsModel)
        #expect(report.text.contains("⟨sections[1]⟩"))
    }
}
