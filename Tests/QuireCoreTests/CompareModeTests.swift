import Testing
@testable import QuireCore

@Suite("The compare key of a step")
struct CompareModeTests {
    func parse(_ compare: String) -> (CompareMode?, [String]) {
        let workflow = basicWorkflow + "\n    compare: \(compare)\n"
        let workspace = TestWorkspace(["prompts/greeter/v1.prompt": basicPrompt, "workflows/w.yaml": workflow])
        let loaded = workspace.load()
        return (loaded.workflows["w"]?.step("greet")?.compare, workspace.diagnostics())
    }

    @Test(arguments: [
        ("exact", "exact"),
        ("normalized", "normalized"),
        ("json", "json"),
        ("{similarity: 0.8}", "similarity(0.8)"),
        ("{similarity: 1}", "similarity(1)"),
        ("{normalized: {scrub: [{pattern: \"#\\\\d+\", with: \"#<n>\"}]}}", "normalized(scrub: 1)"),
        ("{normalized: {scrub: {pattern: \"id-\\\\w+\"}}}", "normalized(scrub: 1)"),
        ("{json: {schema: {type: object, required: [rating]}}}", "json(schema)"),
    ])
    func validForms(compare: String, expected: String) {
        let (mode, diagnostics) = parse(compare)
        #expect(diagnostics == [])
        #expect(mode?.description == expected)
    }

    @Test func theDefaultIsExact() {
        let workspace = TestWorkspace(["prompts/greeter/v1.prompt": basicPrompt, "workflows/w.yaml": basicWorkflow])
        #expect(workspace.load().workflows["w"]?.step("greet")?.compare == .exact)
    }

    @Test(arguments: [
        ("exat", "workflows/w.yaml:8:14: error: unknown comparison 'exat'; expected one of exact, normalized, json, {similarity: 0.8}; did you mean 'exact'? [workflow.invalid-compare]"),
        ("{similarity: 1.5}", "workflows/w.yaml:8:27: error: 'similarity' needs a threshold greater than 0 and at most 1, e.g. {similarity: 0.8}, got 1.5 [workflow.invalid-compare]"),
        ("{similarity: high}", "workflows/w.yaml:8:27: error: 'similarity' needs a threshold greater than 0 and at most 1, e.g. {similarity: 0.8}, got high [workflow.invalid-compare]"),
        ("similarity", "workflows/w.yaml:8:14: error: 'similarity' needs a threshold between 0 and 1, e.g. {similarity: 0.8} [workflow.invalid-compare]"),
        ("{exact: true}", "workflows/w.yaml:8:22: error: 'exact' takes no arguments; write `compare: exact` [workflow.invalid-compare]"),
        ("{normalized: {scrub: [{pattern: \"(abc\"}]}}", "workflows/w.yaml:8:46: error: invalid regular expression '(abc': expected ')' [workflow.invalid-compare]"),
        ("{normalized: {scrubs: []}}", "workflows/w.yaml:8:28: error: unknown argument 'scrubs' for 'normalized' (expected 'scrub'); did you mean 'scrub'? [workflow.invalid-compare]"),
        ("{json: {schema: {type: strng}}}", "workflows/w.yaml:8:30: error: unknown type 'strng' (expected one of string, integer, number, boolean, array, object, null); did you mean 'string'? [schema.invalid]"),
        ("[exact]", "workflows/w.yaml:8:14: error: 'compare' must be one of exact, normalized, json, {similarity: 0.8}, got list [workflow.invalid-compare]"),
        ("{similarity: 0.8, json: true}", "workflows/w.yaml:8:14: error: 'compare' must be a name or a mapping with one key, the name (e.g. {similarity: 0.8}); this one has 2 keys [workflow.invalid-compare]"),
    ])
    func invalidFormsAreLocatedErrors(compare: String, expected: String) {
        let (_, diagnostics) = parse(compare)
        #expect(diagnostics == [expected])
    }

    @Test func theMetadataFormIsStable() {
        #expect(CompareMode.exact.value == "exact")
        #expect(CompareMode.similarity(0.8).value == ["similarity": .double(0.8)])
        #expect(CompareMode.json(schema: JSONSchema(["type": "object"])).value == ["json": ["schema": ["type": "object"]]])
    }
}
