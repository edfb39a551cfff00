import Testing
@testable import QuireCore

@Suite("YAML documents with locations")
struct YAMLDocumentTests {
    @Test func keepsLocationsOfEveryNode() throws {
        let text = "steps:\n  - id: plan\n    temperature: 0.2\n"
        let root = try #require(try YAMLDocument.parse(text, file: "w.yaml").get())
        let step = try #require(root["steps"]?.sequence?.first)
        #expect(step["id"]?.location == SourceLocation(file: "w.yaml", line: 2, column: 9))
        #expect(step["temperature"]?.double == 0.2)
        #expect(step["temperature"]?.location.line == 3)
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        let text = "steps:\n  - id: plan\n   bad: [1, 2\n"
        guard case .failure(let error) = YAMLDocument.parse(text, file: "w.yaml") else {
            Issue.record("expected a syntax error")
            return
        }
        let d = error.diagnostics[0]
        #expect(d.id == "yaml.syntax")
        #expect(d.location?.file == "w.yaml")
        #expect((d.location?.line ?? 0) >= 3)
    }

    @Test func duplicateKeysAreReportedWithBothPlaces() {
        guard case .failure(let error) = YAMLDocument.parse("a: 1\nb: 2\na: 3\n", file: "x.yaml") else {
            Issue.record("expected an error")
            return
        }
        let d = error.diagnostics[0]
        #expect(d.description == "x.yaml:1:1: error: duplicate key 'a' in one mapping; each key may appear once [yaml.duplicate-key]")
    }

    @Test func aliasBombIsRefusedQuickly() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<12 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        guard case .failure(let error) = YAMLDocument.parse(text, file: "bomb.yaml") else {
            Issue.record("expected the alias bomb to be refused")
            return
        }
        #expect(error.diagnostics[0].id == "yaml.too-large")
    }

    @Test func deepFlowNestingIsRefusedBeforeParsing() {
        let text = "a: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        guard case .failure(let error) = YAMLDocument.parse(text, file: "deep.yaml") else {
            Issue.record("expected a depth error")
            return
        }
        #expect(error.diagnostics[0].id == "yaml.too-deep")
        #expect(error.diagnostics[0].location == SourceLocation(file: "deep.yaml", line: 1, column: 104))
    }

    @Test func bracketsInsideQuotedStringsDoNotCountAsNesting() throws {
        let text = "a: \"" + String(repeating: "[", count: 500) + "\"\n"
        let root = try #require(try YAMLDocument.parse(text, file: "q.yaml").get())
        #expect(root["a"]?.string?.count == 500)
    }

    @Test func scalarTypesFollowTheCoreSchema() throws {
        let root = try #require(try YAMLDocument.parse("i: 3\nf: 0.5\nb: true\nn: null\ns: '3'\n", file: "t.yaml").get())
        #expect(root["i"]?.int == 3)
        #expect(root["f"]?.double == 0.5)
        #expect(root["b"]?.bool == true)
        #expect(root["n"]?.isNull == true)
        #expect(root["s"]?.string == "3")
        #expect(root["s"]?.int == nil)
    }

    @Test func emptyDocumentIsNil() throws {
        #expect(try YAMLDocument.parse("", file: "e.yaml").get() == nil)
        #expect(try YAMLDocument.parse("# only a comment\n", file: "e.yaml").get() == nil)
    }
}
