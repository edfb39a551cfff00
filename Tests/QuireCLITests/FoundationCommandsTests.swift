import Foundation
import QuireCore
import Testing

@Suite("CLI: init, validate, list, render, prompts", .serialized)
struct FoundationCommandsTests {
    @Test func initWritesAWorkspaceThatValidates() async throws {
        let dir = try TemporaryDirectory()
        let created = try await CLI.run(["init", "ws"], in: dir.url)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("Created a Quire workspace"))
        let ws = dir.url.appendingPathComponent("ws")
        #expect(try String(contentsOf: ws.appendingPathComponent(".gitignore"), encoding: .utf8).contains("output/"))
        let validated = try await CLI.run(["validate"], in: ws)
        #expect(validated.status == 0)
        #expect(validated.stdout == "2 workflows, 6 prompt files: 0 errors, 0 warnings\n")
        #expect(validated.stderr == "")
    }

    @Test func initRefusesToOverwrite() async throws {
        let dir = try TemporaryDirectory()
        try await CLI.run(["init"], in: dir.url)
        let again = try await CLI.run(["init"], in: dir.url)
        #expect(again.status == 64)
        #expect(again.stderr.contains("[init.file-exists]"))
        #expect(again.stderr.contains("--force"))
    }

    @Test func validateReportsAllProblemsWithLocationsAndExits64() async throws {
        let dir = try TemporaryDirectory()
        try dir.write([
            "prompts/greeter/v1.prompt": "Hello {{ nmae }}",
            "workflows/w.yaml": "inputs: {name: string}\nsteps:\n  - id: greet\n    prompt: greeter\n    temprature: 1\n",
        ])
        let result = try await CLI.run(["validate"], in: dir.url)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            prompts/greeter/v1.prompt:1:10: error: undefined variable 'nmae' [template.undefined-variable]
              note: used by step 'greet' (workflows/w.yaml:4:13)
              help: did you mean 'name'?
            workflows/w.yaml:5:5: error: unknown key 'temprature' in a step [workflow.unknown-key]
              help: did you mean 'temperature'?
            1 workflow, 1 prompt file: 2 errors, 0 warnings

            """)
        try dir.write([
            "prompts/greeter/v1.prompt": "Hello {{ name }}",
            "workflows/w.yaml": "inputs: {name: string}\nsteps:\n  - id: greet\n    prompt: greeter\n    temperature: 1\n",
        ])
        let fixed = try await CLI.run(["validate"], in: dir.url)
        #expect(fixed.status == 0)
        #expect(fixed.stdout == "1 workflow, 1 prompt file: 0 errors, 0 warnings\n")
    }

    @Test func validateShowsTheSourceLineAndCaretWhenAsked() async throws {
        let dir = try TemporaryDirectory()
        try dir.write(["workflows/w.yaml": "steps:\n  - id: a\n    prompt: nope\n"])
        let result = try await CLI.run(["validate", "--excerpts", "always"], in: dir.url)
        #expect(result.status == 64)
        #expect(result.stderr.contains("""
            workflows/w.yaml:3:13: error: unknown prompt 'nope' [workflow.unknown-prompt]
              |
            3 |     prompt: nope
              |             ^
            """))
    }

    @Test func validateJSONIsMachineReadable() async throws {
        let dir = try TemporaryDirectory()
        try dir.write(["workflows/w.yaml": "steps: 3\n"])
        let result = try await CLI.run(["validate", "--json"], in: dir.url)
        #expect(result.status == 64)
        let value = try JSONText.decode(result.stdout)
        #expect(value.objectValue?["valid"] == false)
        let first = value.objectValue?["diagnostics"]?.listValue?.first?.objectValue
        #expect(first?["id"] == "workflow.type-mismatch")
        #expect(first?["line"] == 1)
        #expect(first?["column"] == 8)
    }

    @Test func validateNamesUnknownWorkflows() async throws {
        let result = try await CLI.run(["validate", "publishing-reprot"], in: repositoryRoot)
        #expect(result.status == 64)
        #expect(result.stderr == "error: no workflow 'publishing-reprot' in workflows/ [workflow.not-found]\n  help: did you mean 'publishing-report'?\n0 workflows, 6 prompt files: 1 error, 0 warnings\n")
    }

    @Test func renderShowsMessagesParametersAndPlaceholders() async throws {
        let result = try await CLI.run(["render", "publishing-report", "--var", "topic=Swift actors"], in: repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("━━ step plan · publishing-plan@v2\n"))
        #expect(result.stdout.contains("parameters: max_tokens=200 temperature=0.2"))
        #expect(result.stdout.contains("Plan a report about Swift actors with 4 sections."))
        #expect(result.stdout.contains("━━ step sections[1] · section-writer@v1"))
        #expect(result.stdout.contains("Write the section \"⟨plan[1]⟩\""))
        #expect(result.stdout.contains("━━ step report · report-merge@v1 (template: rendered locally, no model call)"))
    }

    @Test func renderNamesEveryMissingInput() async throws {
        let result = try await CLI.run(["render", "review-digest"], in: repositoryRoot)
        #expect(result.status == 64)
        #expect(result.stderr == "error: missing required inputs 'product', 'reviews' of workflow 'review-digest' [run.missing-input]\n  help: pass --var product=… --var reviews=… or --case NAME\n")
    }

    @Test func renderJSONWithACase() async throws {
        let result = try await CLI.run(["render", "review-digest", "--case", "kettle", "--json"], in: repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        let value = try JSONText.decode(result.stdout)
        let steps = try #require(value.objectValue?["steps"]?.listValue)
        // One entry per review (the fan-out is over a known input list), then the digest.
        #expect(steps.count == 4)
        let first = try #require(steps.first?.objectValue)
        #expect(first["id"] == "facts")
        #expect(first["parameters"]?.objectValue?["seed"] == 7)
        #expect(first["parameters"]?.objectValue?["response_format"]?.objectValue?["type"] == "json_schema")
        #expect(first["request_sha256"] == nil || first["request_sha256"]?.stringValue?.count == 64)
    }

    @Test func renderKeepsTemplateSyntaxInValuesLiteral() async throws {
        let result = try await CLI.run(["render", "publishing-report", "--var", "topic={{ audience }} {% if x %}"], in: repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Plan a report about {{ audience }} {% if x %} with 4 sections."))
    }

    @Test func listShowsVersionsAndWhoPinsThem() async throws {
        let result = try await CLI.run(["list"], in: repositoryRoot)
        #expect(result.status == 0)
        #expect(result.stdout.contains("publishing-plan  latest v2"))
        #expect(result.stdout.contains("used by publishing-report.plan (pinned)"))
        let json = try await JSONText.decode(try CLI.run(["list", "--json"], in: repositoryRoot).stdout)
        let prompts = try #require(json.objectValue?["prompts"]?.listValue)
        let plan = try #require(prompts.first { $0.objectValue?["name"] == "publishing-plan" }?.objectValue)
        #expect(plan["latest"] == 2)
        #expect(plan["versions"]?.listValue?.count == 2)
        #expect(plan["versions"]?.listValue?.last?.objectValue?["sha256"]?.stringValue?.count == 64)
    }

    @Test func promptsNewBumpAndDiff() async throws {
        let dir = try TemporaryDirectory()
        #expect(try await CLI.run(["prompts", "new", "tagline"], in: dir.url).stdout == "created prompts/tagline/v1.prompt\n")
        let bumped = try await CLI.run(["prompts", "bump", "tagline"], in: dir.url)
        #expect(bumped.status == 0)
        #expect(bumped.stdout.hasPrefix("created prompts/tagline/v2.prompt from v1"))
        #expect(try dir.read("prompts/tagline/v2.prompt") == dir.read("prompts/tagline/v1.prompt"))
        let same = try await CLI.run(["prompts", "diff", "tagline@v1", "tagline@v2"], in: dir.url)
        #expect(same.stdout == "tagline@v1 and tagline@v2 are identical\n")
        let v2 = try dir.read("prompts/tagline/v2.prompt").replacingOccurrences(of: "Write about", with: "Write a tagline about")
        try dir.write(["prompts/tagline/v2.prompt": v2])
        let diff = try await CLI.run(["prompts", "diff", "tagline"], in: dir.url)
        #expect(diff.status == 0)
        #expect(diff.stdout.contains("--- prompts/tagline/v1.prompt"))
        #expect(diff.stdout.contains("-Write about {{ topic }}."))
        #expect(diff.stdout.contains("+Write a tagline about {{ topic }}."))
        let missing = try await CLI.run(["prompts", "diff", "tagline@v1", "tagline@v9"], in: dir.url)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("has no version v9 (available: v1, v2)"))
    }

    @Test func versionAndHelp() async throws {
        #expect(try await CLI.run(["--version"], in: repositoryRoot).stdout == "0.1.0\n")
        let help = try await CLI.run(["render", "--help"], in: repositoryRoot)
        #expect(help.stdout.contains("Examples:"))
        #expect(help.stdout.contains("--color <color>"))
    }

    @Test func noColorMeansNoEscapeCodes() async throws {
        let dir = try TemporaryDirectory()
        try dir.write(["workflows/w.yaml": "steps: 3\n"])
        let plain = try await CLI.run(["validate", "--color", "auto"], in: dir.url)
        #expect(!plain.stderr.contains("\u{1B}["))
        let forced = try await CLI.run(["validate", "--color", "always"], in: dir.url)
        #expect(forced.stderr.contains("\u{1B}[31merror:"))
    }
}
