import Testing
@testable import QuireCore

@Suite("Input resolution")
struct InputResolverTests {
    func workflow() throws -> Workflow {
        let text = """
            inputs:
              topic: {type: string}
              audience: {type: string, default: engineers}
              count: {type: integer, default: 3}
              tags: {type: list, default: []}
            steps:
              - id: a
                prompt: p
            cases:
              demo: {topic: Demo topic, count: 5}
            """
        return try #require(WorkflowParser.parse(text: text, name: "w", path: "workflows/w.yaml").0)
    }

    @Test func precedenceIsVarThenFileThenCaseThenDefault() throws {
        let values = try InputResolver.resolve(
            workflow: workflow(), variables: [("topic", "From var")], fileValues: ["topic": "From file", "audience": "From file"],
            caseName: "demo"
        ).get()
        #expect(values["topic"] == "From var")
        #expect(values["audience"] == "From file")
        #expect(values["count"] == 5)
        #expect(values["tags"] == [])
    }

    @Test func missingInputsAreAllNamedInOneError() throws {
        let text = "inputs: {a: string, b: integer, c: {type: string, default: x}}\nsteps:\n  - id: s\n    prompt: p\n"
        let workflow = try #require(WorkflowParser.parse(text: text, name: "w", path: "w.yaml").0)
        guard case .failure(let error) = InputResolver.resolve(workflow: workflow) else {
            Issue.record("expected failure")
            return
        }
        #expect(error.diagnostics.map(\.description) == [
            "error: missing required inputs 'a', 'b' of workflow 'w'; pass --var a=… --var b=… [run.missing-input]"
        ])
    }

    @Test func typedConversionFromTheCommandLine() throws {
        let values = try InputResolver.resolve(workflow: workflow(), variables: [("topic", "T"), ("count", "7"), ("tags", "[\"a\",\"b\"]")]).get()
        #expect(values["count"] == 7)
        #expect(values["tags"] == ["a", "b"])
        guard case .failure(let error) = InputResolver.resolve(workflow: try workflow(), variables: [("topic", "T"), ("count", "many")]) else {
            Issue.record("expected failure")
            return
        }
        #expect(error.diagnostics.map(\.description) == ["error: --var count=… must be an integer, got 'many' [run.invalid-input]"])
    }

    @Test func unknownInputsAndCasesSuggest() throws {
        guard case .failure(let error) = InputResolver.resolve(workflow: try workflow(), variables: [("topc", "T")], caseName: "dmeo") else {
            Issue.record("expected failure")
            return
        }
        let messages = error.diagnostics.map(\.description)
        #expect(messages.contains("error: workflow 'w' has no case 'dmeo'; did you mean 'demo'? [run.unknown-case]"))
        #expect(messages.contains("error: workflow 'w' has no input 'topc'; did you mean 'topic'? [run.unknown-input]"))
    }

    @Test func templateSyntaxInValuesStaysData() throws {
        let values = try InputResolver.resolve(workflow: workflow(), variables: [("topic", "{{ secret }}")]).get()
        #expect(values["topic"] == "{{ secret }}")
    }
}
