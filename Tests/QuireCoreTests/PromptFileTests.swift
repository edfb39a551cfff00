import Testing
@testable import QuireCore

@Suite("Prompt files")
struct PromptFileTests {
    func parse(_ text: String, path: String = "prompts/p/v1.prompt") -> (PromptFile?, [Diagnostic]) {
        PromptFile.parse(text: text, sha256: ContentHash.sha256(text), name: "p", version: 1, path: path)
    }

    @Test func frontMatterAndRoleMarkers() throws {
        let (prompt, diagnostics) = parse(basicPrompt)
        #expect(diagnostics.isEmpty)
        let p = try #require(prompt)
        #expect(p.description == "Greets someone.")
        #expect(p.inputs.map(\.name) == ["name"])
        #expect(p.messages.map(\.role) == [.system, .user])
        let rendered = try p.messages[1].template.render(["name": "Ada"], includes: DictionaryIncludes([:]))
        #expect(rendered == "Say hello to Ada.")
    }

    @Test func bodyWithoutMarkersIsOneUserMessage() throws {
        let (prompt, _) = parse("Just {{ x }}\nand more\n")
        let p = try #require(prompt)
        #expect(p.messages.count == 1)
        #expect(p.messages[0].role == .user)
        #expect(!p.hasRoleMarkers)
        #expect(try p.messages[0].template.render(["x": "this"], includes: DictionaryIncludes([:])) == "Just this\nand more")
    }

    @Test func fewShotExamplesKeepTheirOrder() throws {
        let text = "system:\nS\nuser:\nQ1\nassistant:\nA1\nuser:\nQ2\n"
        let p = try #require(parse(text).0)
        #expect(p.messages.map(\.role) == [.system, .user, .assistant, .user])
    }

    @Test func templateErrorsPointIntoTheFile() {
        let text = "---\ndescription: x\n---\nsystem:\nfine\n\nuser:\nHello {{ name\n"
        let (_, diagnostics) = parse(text)
        #expect(diagnostics.first?.id == "template.syntax")
        #expect(diagnostics.first?.location?.line == 8)
    }

    @Test func parametersInFrontMatterAreChecked() {
        let text = "---\ntemperature: 3\nmax_tokens: 0\ntop_p: 0.5\n---\nHi\n"
        let (_, diagnostics) = parse(text)
        #expect(diagnostics.map(\.description) == [
            "prompts/p/v1.prompt:2:14: error: 'temperature' must be between 0 and 2, got 3 [prompt.parameter-range]",
            "prompts/p/v1.prompt:3:13: error: 'max_tokens' must be at least 1, got 0 [prompt.parameter-range]",
        ])
    }

    @Test func unknownFrontMatterKeySuggests() {
        let (_, diagnostics) = parse("---\ndescripton: x\n---\nHi\n")
        #expect(diagnostics.map(\.description) == [
            "prompts/p/v1.prompt:2:1: error: unknown key 'descripton' in front matter; did you mean 'description'? [prompt.unknown-key]"
        ])
    }

    @Test func textBeforeTheFirstRoleIsAnError() {
        let (_, diagnostics) = parse("oops\nsystem:\nS\n")
        #expect(diagnostics.map(\.id) == ["prompt.text-before-role"])
    }

    @Test func emptyMessagesAndBodiesAreErrors() {
        #expect(parse("system:\n\nuser:\nHi\n").1.map(\.id) == ["prompt.empty-message"])
        #expect(parse("---\ndescription: x\n---\n").1.map(\.id) == ["prompt.empty-body"])
    }

    @Test func unterminatedFrontMatter() {
        #expect(parse("---\ndescription: x\nHi\n").1.map(\.id) == ["prompt.unterminated-front-matter"])
    }

    @Test func crlfFilesParseLikeLF() throws {
        let crlf = basicPrompt.replacingOccurrences(of: "\n", with: "\r\n")
        let p = try #require(parse(crlf).0)
        #expect(try p.messages[1].template.render(["name": "Ada"], includes: DictionaryIncludes([:])) == "Say hello to Ada.")
    }

    @Test(arguments: [("v1.prompt", 1), ("v12.prompt", 12), ("v0.prompt", nil), ("v01.prompt", nil), ("draft.prompt", nil), ("v2.txt", nil)] as [(String, Int?)])
    func versionFileNames(name: String, version: Int?) {
        #expect(PromptName.version(ofFileName: name) == version)
    }

    @Test func references() throws {
        #expect(try PromptReference.parse("plan@v2").get() == PromptReference(name: "plan", version: 2))
        #expect(try PromptReference.parse("blog/outline").get() == PromptReference(name: "blog/outline"))
        #expect((try? PromptReference.parse("plan@2").get()) == nil)
        #expect((try? PromptReference.parse("../etc/passwd").get()) == nil)
        #expect((try? PromptReference.parse("/abs").get()) == nil)
    }
}
