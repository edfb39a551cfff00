import Testing
@testable import QuireCore

@Suite("Workflow validation")
struct WorkflowValidationTests {
    let prompt = basicPrompt

    func workspace(_ workflow: String, extra: [String: String] = [:]) -> TestWorkspace {
        var files = ["prompts/greeter/v1.prompt": prompt, "workflows/w.yaml": workflow]
        files.merge(extra) { _, new in new }
        return TestWorkspace(files)
    }

    @Test func aValidWorkflowHasNoDiagnostics() {
        #expect(workspace(basicWorkflow).diagnostics() == [])
    }

    @Test func reportsEveryProblemAtOnce() {
        let workflow = """
            descriptoin: typo
            inputs:
              name: {type: string}
            steps:
              - id: greet
                prompt: greeter@v1
                temperature: 2.5
                top_p: -1
                max_tokens: 0
              - id: greet
                prompt: greeter
              - id: other
                prompt: greeterr
            """
        #expect(workspace(workflow).diagnostics() == [
            "workflows/w.yaml:1:1: error: unknown key 'descriptoin' in workflow; did you mean 'description'? [workflow.unknown-key]",
            "workflows/w.yaml:7:18: error: 'temperature' must be between 0 and 2, got 2.5 [workflow.parameter-range]",
            "workflows/w.yaml:8:12: error: 'top_p' must be between 0 and 1, got -1 [workflow.parameter-range]",
            "workflows/w.yaml:9:17: error: 'max_tokens' must be at least 1, got 0 [workflow.parameter-range]",
            "workflows/w.yaml:10:9: error: duplicate step id 'greet' [workflow.duplicate-step]",
            "workflows/w.yaml:13:13: error: unknown prompt 'greeterr'; did you mean 'greeter'? [workflow.unknown-prompt]",
        ])
    }

    @Test func unknownStepKeysSuggestTheRightOne() {
        let workflow = basicWorkflow.replacingOccurrences(of: "temperature: 0.5", with: "temprature: 0.5")
        #expect(workspace(workflow).diagnostics() == [
            "workflows/w.yaml:7:5: error: unknown key 'temprature' in a step; did you mean 'temperature'? [workflow.unknown-key]"
        ])
    }

    @Test func wrongTypesNameTheExpectedType() {
        let workflow = basicWorkflow.replacingOccurrences(of: "temperature: 0.5", with: "temperature: warm\n    max_tokens: [1]")
        #expect(workspace(workflow).diagnostics() == [
            "workflows/w.yaml:7:18: error: 'temperature' must be a number, got string [workflow.type-mismatch]",
            "workflows/w.yaml:8:17: error: 'max_tokens' must be an integer, got list [workflow.type-mismatch]",
        ])
    }

    @Test func unknownPromptVersionListsTheAvailableOnes() {
        let workflow = basicWorkflow.replacingOccurrences(of: "greeter@v1", with: "greeter@v3")
        #expect(workspace(workflow).diagnostics() == [
            "workflows/w.yaml:6:13: error: prompt 'greeter' has no version v3 (available: v1) [workflow.unknown-prompt-version]"
        ])
    }

    @Test func undefinedTemplateVariablesPointIntoThePrompt() {
        let files = [
            "prompts/greeter/v1.prompt": "system:\nBe kind.\nuser:\nHello {{ nmae }}, welcome to {{ place }}.",
            "workflows/w.yaml": "inputs: {name: string, place: string}\nsteps:\n  - id: greet\n    prompt: greeter\n",
        ]
        let diagnostics = TestWorkspace(files).validate().diagnostics
        #expect(diagnostics.map(\.description) == [
            "prompts/greeter/v1.prompt:4:10: error: undefined variable 'nmae'; did you mean 'name'? [template.undefined-variable]"
        ])
        #expect(diagnostics.first?.notes == ["used by step 'greet' (workflows/w.yaml:4:13)"])
    }

    @Test func declaredPromptInputsMustBeProvided() {
        let workflow = basicWorkflow.replacingOccurrences(of: "name: {type: string}", with: "nmae: {type: string}")
        let diagnostics = workspace(workflow).validate().diagnostics
        #expect(diagnostics.map(\.description) == [
            "workflows/w.yaml:6:13: error: prompt 'greeter@v1' needs input 'name', which step 'greet' does not provide; did you mean 'nmae'? — or add 'name' to the workflow's inputs or the step's 'vars' [workflow.missing-prompt-input]"
        ])
        #expect(diagnostics.first?.notes == ["declared at prompts/greeter/v1.prompt:4:3"])
    }

    @Test func dependencyCyclesAreNamed() {
        let files = [
            "prompts/a/v1.prompt": "Use {{ b }}", "prompts/b/v1.prompt": "Use {{ c }}", "prompts/c/v1.prompt": "Use {{ a }}",
            "workflows/w.yaml": "steps:\n  - id: a\n    prompt: a\n  - id: b\n    prompt: b\n  - id: c\n    prompt: c\n",
        ]
        let diagnostics = TestWorkspace(files).diagnostics()
        #expect(diagnostics == ["workflows/w.yaml:2:9: error: dependency cycle: 'a' needs 'b', which needs 'c', which needs 'a' [workflow.cycle]"])
    }

    @Test func unknownNeedsAndForEachReferences() {
        let files = [
            "prompts/a/v1.prompt": "Hi {{ item }}",
            "workflows/w.yaml": "steps:\n  - id: plan\n    prompt: a\n    for_each: plam\n    needs: [sections]\n",
        ]
        #expect(TestWorkspace(files).diagnostics() == [
            "workflows/w.yaml:4:15: error: 'for_each' refers to unknown step or input 'plam'; did you mean 'plan'? [workflow.unknown-step]",
            "workflows/w.yaml:5:13: error: step 'plan' needs unknown step 'sections' [workflow.unknown-step]",
        ])
    }

    @Test func forEachOverTextIsAnErrorWithAFix() {
        let files = [
            "prompts/plan/v1.prompt": "Plan {{ topic }}",
            "prompts/write/v1.prompt": "Write {{ section }}",
            "workflows/w.yaml": "inputs: {topic: string}\nsteps:\n  - id: plan\n    prompt: plan\n  - id: sections\n    prompt: write\n    for_each: plan\n    as: section\n",
        ]
        let diagnostics = TestWorkspace(files).validate().diagnostics
        #expect(diagnostics.map(\.description) == [
            "workflows/w.yaml:7:15: error: 'for_each' needs a list, but step 'plan' produces text; add a list post-processor to step 'plan', e.g. `post: [bullet_list]` [workflow.for-each-not-list]"
        ])
        let fixed = files.merging(["workflows/w.yaml": files["workflows/w.yaml"]!.replacingOccurrences(of: "prompt: plan\n", with: "prompt: plan\n    post: [bullet_list]\n")]) { _, n in n }
        #expect(TestWorkspace(fixed).diagnostics() == [])
    }

    @Test func stepsDependOnTheOutputsTheirPromptsUse() throws {
        let files = [
            "prompts/plan/v1.prompt": "Plan {{ topic }}",
            "prompts/write/v1.prompt": "Write {{ section }} of {{ topic }}",
            "prompts/merge/v1.prompt": "{% for s in sections %}{{ s }}\n{% endfor %}",
            "workflows/w.yaml": """
                inputs: {topic: string}
                steps:
                  - id: report
                    template: merge
                  - id: sections
                    prompt: write
                    for_each: plan
                    as: section
                  - id: plan
                    prompt: plan
                    post: [bullet_list]
                """,
        ]
        let result = TestWorkspace(files).validate()
        #expect(result.diagnostics.isEmpty)
        let analysis = try #require(result.analyses["w"])
        #expect(analysis.order == ["plan", "sections", "report"])
        #expect(analysis.steps["report"]?.dependencies == ["sections"])
        #expect(analysis.steps["sections"]?.outputShape == .list)
    }

    @Test func templateStepsCannotUseRoleMarkers() {
        let workflow = basicWorkflow.replacingOccurrences(of: "prompt: greeter@v1\n    temperature: 0.5", with: "template: greeter@v1")
        #expect(workspace(workflow).diagnostics() == [
            "workflows/w.yaml:6:15: error: template step 'greet' uses 'greeter@v1', which has role markers; a template step renders one text locally — use 'prompt:' to send messages to a model [workflow.template-with-roles]"
        ])
    }

    @Test func outputNamesMayNotLeaveTheRunFolder() {
        let workflow = basicWorkflow + "\n    output: ../../etc/passwd\n"
        #expect(workspace(workflow).diagnostics() == [
            "workflows/w.yaml:8:13: error: invalid output file name '../../etc/passwd': '..' would leave the run folder [workflow.output-path]"
        ])
    }

    @Test func providersMustExistAndSupportTheParameters() {
        let config = "providers:\n  tiny:\n    base_url: http://127.0.0.1:9/v1\n    capabilities: {seed: false}\n"
        let workflow = basicWorkflow + "\n    seed: 3\n    provider: tiny\n"
        #expect(workspace(workflow, extra: ["quire.yaml": config]).diagnostics() == [
            "workflows/w.yaml:8:11: error: provider 'tiny' does not support 'seed', which step 'greet' sets; remove it or use another provider [workflow.unsupported-parameter]"
        ])
        let unknown = basicWorkflow + "\n    provider: opneai\n"
        #expect(workspace(unknown).diagnostics() == [
            "workflows/w.yaml:8:15: error: unknown provider 'opneai'; did you mean 'openai'? [workflow.unknown-provider]"
        ])
    }

    @Test func casesAreCheckedAgainstInputs() {
        let workflow = basicWorkflow + "\ncases:\n  ok: {name: Ada}\n  typo: {nmae: Ada}\n  wrong: {name: [1]}\n"
        #expect(workspace(workflow).diagnostics() == [
            "workflows/w.yaml:10:10: error: case 'typo' sets 'nmae', which is not an input of this workflow; did you mean 'name'? [workflow.unknown-input]",
            "workflows/w.yaml:11:17: error: input 'name' must be of type string, got list [workflow.type-mismatch]",
        ])
    }

    @Test func missingIncludesAndIncludeCycles() {
        let files = [
            "prompts/a/v1.prompt": "{% include \"partials/one.md\" %}\n{% include \"partials/nope.md\" %}",
            "prompts/partials/one.md": "{% include \"partials/two.md\" %}",
            "prompts/partials/two.md": "{% include \"partials/one.md\" %}",
            "workflows/w.yaml": "steps:\n  - id: a\n    prompt: a\n",
        ]
        let diagnostics = TestWorkspace(files).diagnostics()
        #expect(diagnostics.contains("prompts/a/v1.prompt:2:12: error: no partial 'partials/nope.md' under prompts/; did you mean 'partials/one.md'? [template.include-not-found]"))
        #expect(diagnostics.contains { $0.contains("[template.include-cycle]") && $0.contains("'partials/one.md' -> 'partials/two.md' -> 'partials/one.md'") })
    }

    @Test func unusedPromptInputsAreWarnings() {
        let files = [
            "prompts/a/v1.prompt": "---\ninputs:\n  tone: {type: string, default: calm}\n---\nHello",
            "workflows/w.yaml": "steps:\n  - id: a\n    prompt: a\n",
        ]
        #expect(TestWorkspace(files).diagnostics() == [
            "prompts/a/v1.prompt:3:3: warning: input 'tone' is declared but the prompt never uses it [prompt.unused-input]"
        ])
    }

    @Test func guardedVariablesNeedNotBeProvided() {
        let files = [
            "prompts/a/v1.prompt": "Hello {{ name | default('you') }}{% if extra is defined %} {{ extra }}{% endif %}",
            "workflows/w.yaml": "steps:\n  - id: a\n    prompt: a\n",
        ]
        #expect(TestWorkspace(files).diagnostics() == [])
    }
}
