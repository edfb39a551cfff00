import Foundation
import Testing

@testable import QuireCore

/// Parses YAML text (the value of a step's `post:` key) from a file named `w.yaml`.
func postPipeline(_ yaml: String) -> (PostPipeline, [Diagnostic]) {
    guard case .success(let node?) = YAMLDocument.parse(yaml, file: "w.yaml") else {
        Issue.record("YAML did not parse: \(yaml)")
        return (PostPipeline(), [])
    }
    return PostPipeline.parse(node)
}

/// Parses a pipeline that must be valid.
func validPipeline(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> PostPipeline {
    let (pipeline, diagnostics) = postPipeline(yaml)
    #expect(diagnostics.isEmpty, "\(diagnostics)", sourceLocation: sourceLocation)
    return pipeline
}

@Suite("Post-processors: parsing")
struct PostPipelineParsingTests {
    struct Spec: CustomTestStringConvertible, Sendable {
        var yaml: String
        var descriptions: [String]
        var shape: PostPipeline.OutputShape
        var testDescription: String { yaml }
    }

    @Test(
        "valid specs",
        arguments: [
            Spec(yaml: "[trim, bullet_list]", descriptions: ["trim", "bullet_list"], shape: .list),
            Spec(yaml: "trim", descriptions: ["trim"], shape: .text),
            Spec(yaml: "{truncate: 200}", descriptions: ["truncate(200)"], shape: .text),
            Spec(yaml: "~", descriptions: [], shape: .text),
            Spec(yaml: "[]", descriptions: [], shape: .text),
            Spec(
                yaml: "[strip_code_fences, lowercase, uppercase, first_line]",
                descriptions: ["strip_code_fences", "lowercase", "uppercase", "first_line"], shape: .text),
            Spec(yaml: "[numbered_list, trim]", descriptions: ["numbered_list", "trim"], shape: .list),
            Spec(yaml: "[list, {join: ', '}]", descriptions: ["list", #"join(", ")"#], shape: .text),
            Spec(yaml: "[lines, join]", descriptions: ["lines", #"join("\n")"#], shape: .text),
            Spec(yaml: "[{split: ','}]", descriptions: [#"split(",")"#], shape: .list),
            Spec(
                yaml: #"[{regex: "Title: (.*)"}]"#, descriptions: [#"regex(pattern: "Title: (.*)", group: 1)"#],
                shape: .text),
            Spec(yaml: #"[{regex: "\\d+"}]"#, descriptions: [#"regex(pattern: "\\d+", group: 0)"#], shape: .text),
            Spec(
                yaml: #"[{regex: {pattern: "(?<n>\\d+)", group: n, all: true}}]"#,
                descriptions: [#"regex(pattern: "(?<n>\\d+)", group: "n", all: true)"#], shape: .list),
            Spec(
                yaml: #"[{replace: {pattern: "\\s+", with: " "}}]"#,
                descriptions: [#"replace(pattern: "\\s+", with: " ")"#], shape: .text),
            Spec(
                yaml: #"[{replace: {pattern: "!+$"}}]"#, descriptions: [#"replace(pattern: "!+$", with: "")"#],
                shape: .text),
            Spec(yaml: "json", descriptions: ["json"], shape: .json(type: nil)),
            Spec(
                yaml: "[{json: {schema: {type: array, items: {type: string}}}}, trim, join]",
                descriptions: [#"json(schema: {"items":{"type":"string"},"type":"array"})"#, "trim", #"join("\n")"#],
                shape: .text),
            Spec(
                yaml: "[{json: {schema: {type: object}}}]",
                descriptions: [#"json(schema: {"type":"object"})"#], shape: .json(type: "object")),
            Spec(yaml: "[json, join]", descriptions: ["json", #"join("\n")"#], shape: .text),
            Spec(
                yaml: "[{json: {schema: {type: string}}}, trim]",
                descriptions: [#"json(schema: {"type":"string"})"#, "trim"], shape: .text),
        ])
    func valid(_ spec: Spec) {
        let pipeline = validPipeline(spec.yaml)
        #expect(pipeline.descriptions == spec.descriptions)
        #expect(pipeline.outputShape == spec.shape)
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        var yaml: String
        var diagnostics: [String]
        var testDescription: String { yaml }
    }

    @Test(
        "invalid specs report located diagnostics",
        arguments: [
            Invalid(
                yaml: "[trim, bulet_list]",
                diagnostics: [
                    "w.yaml:1:8: error: unknown post-processor 'bulet_list'; did you mean 'bullet_list'? [workflow.unknown-post-processor]"
                ]),
            Invalid(
                yaml: "- {summarize: 3}",
                diagnostics: ["w.yaml:1:4: error: unknown post-processor 'summarize' [workflow.unknown-post-processor]"]
            ),
            Invalid(
                yaml: "[{trim: 3}]",
                diagnostics: [
                    "w.yaml:1:9: error: 'trim' takes no arguments; write it as a bare name [workflow.invalid-post-processor]"
                ]),
            Invalid(
                yaml: "[{truncate: -1}, {truncate: many}, truncate]",
                diagnostics: [
                    "w.yaml:1:13: error: 'truncate' needs a positive number of characters, e.g. {truncate: 200}, got integer -1 [workflow.invalid-post-processor]",
                    #"w.yaml:1:29: error: 'truncate' needs a positive number of characters, e.g. {truncate: 200}, got string "many" [workflow.invalid-post-processor]"#,
                    "w.yaml:1:36: error: 'truncate' needs a positive number of characters, e.g. {truncate: 200} [workflow.invalid-post-processor]",
                ]),
            Invalid(
                yaml: "[split, {split: ''}]",
                diagnostics: [
                    #"w.yaml:1:2: error: 'split' needs a non-empty separator string, e.g. {split: ","} [workflow.invalid-post-processor]"#,
                    #"w.yaml:1:17: error: 'split' needs a non-empty separator string, e.g. {split: ","}, got string "" [workflow.invalid-post-processor]"#,
                ]),
            Invalid(
                yaml: #"[{regex: "(abc"}]"#,
                diagnostics: [
                    "w.yaml:1:10: error: invalid regular expression '(abc': expected ')' [workflow.invalid-post-processor]"
                ]),
            Invalid(
                yaml: "- regex:\n    patern: a\n",
                diagnostics: [
                    "w.yaml:2:5: error: unknown argument 'patern' for 'regex' (expected 'pattern', 'group', 'all'); did you mean 'pattern'? [workflow.invalid-post-processor]"
                ]),
            Invalid(
                yaml:
                    "- regex: {pattern: '(a)b', group: 2}\n- regex: {pattern: '(?<x>a)', group: y}\n- regex: {all: true}\n",
                diagnostics: [
                    "w.yaml:1:35: error: group 2 does not exist: the pattern has 1 capture group [workflow.invalid-post-processor]",
                    "w.yaml:2:38: error: the pattern has no group named 'y' (named groups: x); did you mean 'x'? [workflow.invalid-post-processor]",
                    #"w.yaml:3:10: error: 'regex' needs a 'pattern', e.g. {regex: "Title: (.*)"} or {regex: {pattern: "…", group: 1}} [workflow.invalid-post-processor]"#,
                ]),
            Invalid(
                yaml: "- regex: 'Title: (.*)'\n  group: 1\n",
                diagnostics: [
                    #"w.yaml:1:3: error: a post-processor entry must have exactly one key, the processor's name, but this one has 2: regex, group; put the arguments in a nested mapping, e.g. {regex: {pattern: "…", group: 1}} [workflow.invalid-post-processor]"#
                ]),
            Invalid(
                yaml: "[replace, {replace: {with: x}}]",
                diagnostics: [
                    #"w.yaml:1:2: error: 'replace' needs a mapping with 'pattern' and 'with', e.g. {replace: {pattern: "\\s+", with: " "}} [workflow.invalid-post-processor]"#,
                    #"w.yaml:1:21: error: 'replace' needs a 'pattern', e.g. {replace: {pattern: "\\s+", with: " "}} [workflow.invalid-post-processor]"#,
                ]),
            Invalid(
                yaml: "[{replace: {pattern: a, with: [b]}}]",
                diagnostics: ["w.yaml:1:31: error: 'with' must be a string, got list [workflow.invalid-post-processor]"]
            ),
            Invalid(
                yaml: "[trim, join]",
                diagnostics: [
                    "w.yaml:1:8: error: 'join' needs a list, but the output is text at this point; put a list-producing processor (bullet_list, numbered_list, list, lines, split, or regex with all: true) before it [workflow.invalid-post-processor]"
                ]),
            Invalid(
                yaml: "[bullet_list, json]",
                diagnostics: [
                    "w.yaml:1:15: error: 'json' needs text, but the output is a list at this point; add 'join' before it to make the list one text [workflow.invalid-post-processor]"
                ]),
            Invalid(
                yaml: "[{json: {schema: {type: object}}}, trim]",
                diagnostics: [
                    "w.yaml:1:36: error: 'trim' needs text or a list of texts, but the output is a JSON object at this point [workflow.invalid-post-processor]"
                ]),
            Invalid(
                yaml: "[3, [trim]]",
                diagnostics: [
                    "w.yaml:1:2: error: a post-processor must be a name or a mapping with one key (e.g. {truncate: 200}), got integer [workflow.invalid-post-processor]",
                    "w.yaml:1:5: error: a post-processor must be a name or a mapping with one key (e.g. {truncate: 200}), got list [workflow.invalid-post-processor]",
                ]),
            Invalid(
                yaml: "[{join: [1]}, {json: 3}, {json: {scheme: {}}}]",
                diagnostics: [
                    "w.yaml:1:9: error: 'join' takes a separator string, e.g. {join: \", \"}, got list [1] [workflow.invalid-post-processor]",
                    "w.yaml:1:22: error: 'json' takes a mapping such as {json: {schema: {type: array}}}, got integer [workflow.invalid-post-processor]",
                    "w.yaml:1:34: error: unknown argument 'scheme' for 'json' (expected 'schema'); did you mean 'schema'? [workflow.invalid-post-processor]",
                ]),
        ])
    func invalid(_ spec: Invalid) {
        let (_, diagnostics) = postPipeline(spec.yaml)
        #expect(diagnostics.map(\.description) == spec.diagnostics)
    }

    @Test("an unknown name with no close match lists the available ones")
    func unknownNotes() {
        let (_, diagnostics) = postPipeline("[summarize]")
        #expect(diagnostics.first?.suggestion == nil)
        #expect(
            diagnostics.first?.notes == ["available post-processors: \(PostPipeline.names.joined(separator: ", "))"])
    }

    @Test("every problem is collected, and a shape check continues after an invalid entry")
    func collectsAll() {
        let (pipeline, diagnostics) = postPipeline("[trm, bullet_list, {truncate: x}, join, json, lines, bullet_list]")
        #expect(
            diagnostics.map(\.id) == [
                "workflow.unknown-post-processor", "workflow.invalid-post-processor", "workflow.invalid-post-processor",
            ])
        #expect(diagnostics.map(\.location?.column) == [2, 31, 54])
        #expect(pipeline.descriptions == ["bullet_list", #"join("\n")"#, "json", "lines"])
    }

    @Test("schema problems are located inside the schema")
    func schemaDiagnostics() {
        let yaml = """
            - json:
                schema:
                  type: object
                  require: [title]
                  properties:
                    rating: {type: int}
            """
        let (pipeline, diagnostics) = postPipeline(yaml)
        #expect(
            diagnostics.map(\.description) == [
                "w.yaml:6:24: error: unknown type 'int' (expected one of string, integer, number, boolean, array, object, null); did you mean 'integer'? [schema.invalid]",
                "w.yaml:4:7: warning: unknown keyword 'require' is ignored; did you mean 'required'? [schema.unknown-keyword]",
            ])
        #expect(pipeline.processors.isEmpty, "a schema with errors is not used")

        let (warned, warnings) = postPipeline("[{json: {schema: {type: array, format: x}}}]")
        #expect(warnings.map(\.severity) == [.warning])
        #expect(warned.outputShape == .json(type: "array"))
    }

    @Test("names")
    func names() {
        #expect(
            PostPipeline.names == [
                "trim", "strip_code_fences", "lowercase", "uppercase", "first_line", "truncate", "replace",
                "bullet_list", "numbered_list", "list", "lines", "split", "join", "regex", "json",
            ])
    }

    @Test("output shapes for for_each")
    func shapes() {
        #expect(PostPipeline.OutputShape.list.isList)
        #expect(PostPipeline.OutputShape.json(type: "array").isList)
        #expect(!PostPipeline.OutputShape.json(type: nil).isList)
        #expect(PostPipeline.OutputShape.json(type: nil).mayBeList)
        #expect(!PostPipeline.OutputShape.text.mayBeList)
        #expect(PostPipeline.OutputShape.json(type: "object").description == "JSON object")
        #expect(PostPipeline([.trim, .bulletList]).description == "trim | bullet_list")
        #expect(PostPipeline().description == "(none)")
    }
}

@Suite("Post-processors: applying")
struct PostPipelineApplyTests {
    struct Run: CustomTestStringConvertible, Sendable {
        var yaml: String
        var input: String
        var output: Value
        var testDescription: String { "\(yaml) on \(input.prefix(30).debugDescription)" }
    }

    @Test(
        "outputs",
        arguments: [
            Run(yaml: "trim", input: "  \n hello \n\n", output: "hello"),
            Run(yaml: "[]", input: " raw ", output: " raw "),
            Run(yaml: "strip_code_fences", input: "```python\nprint(1)\n\nx = 2\n```\n", output: "print(1)\n\nx = 2"),
            Run(yaml: "strip_code_fences", input: "\n~~~~\na\n~~~~\n", output: "a"),
            Run(yaml: "strip_code_fences", input: "```md\ncut off by max_tokens", output: "cut off by max_tokens"),
            Run(yaml: "strip_code_fences", input: "no fence here", output: "no fence here"),
            Run(
                yaml: "strip_code_fences", input: "```\na\n```\nmiddle\n```\nb\n```",
                output: "```\na\n```\nmiddle\n```\nb\n```"),
            Run(yaml: "lowercase", input: "ÀB c", output: "àb c"),
            Run(yaml: "uppercase", input: "straße", output: "STRASSE"),
            Run(yaml: "first_line", input: "\n\n  Title here  \nbody", output: "Title here"),
            Run(yaml: "{truncate: 5}", input: "héllo wörld", output: "héllo"),
            Run(yaml: "{truncate: 50}", input: "short", output: "short"),
            Run(
                yaml: #"{replace: {pattern: "(\\w+)@(\\w+)", with: "$2 at $1"}}"#, input: "mail bob@example now",
                output: "mail example at bob now"),
            Run(yaml: "lines", input: "a\r\n\r\n  b  \n\n c", output: ["a", "b", "c"]),
            Run(yaml: "{split: ','}", input: "red, green,,blue ,", output: ["red", "green", "blue"]),
            Run(yaml: "[{split: ','}, {join: ' / '}]", input: "a,b", output: "a / b"),
            Run(yaml: "[lines, uppercase]", input: "a\nb", output: ["A", "B"]),
            Run(yaml: #"{regex: "Title: (.*)"}"#, input: "x\nTitle: Swift 6\nTitle: other", output: "Swift 6"),
            Run(yaml: #"{regex: "\\d+"}"#, input: "v 12 and 34", output: "12"),
            Run(yaml: #"{regex: {pattern: "(a)(b)", group: 0}}"#, input: "xaby", output: "ab"),
            Run(
                yaml: #"{regex: {pattern: "(?<year>\\d{4})-\\d\\d", group: year}}"#, input: "on 2024-05", output: "2024"
            ),
            Run(yaml: ##"{regex: {pattern: "#(\\w+)", all: true}}"##, input: "#a b #c", output: ["a", "c"]),
            Run(yaml: #"{regex: "(?i)answer: (\\w+)"}"#, input: "ANSWER: yes", output: "yes"),
            Run(yaml: "{replace: {pattern: '!+', with: ~}}", input: "hi!!", output: "hi"),
            Run(yaml: "{replace: {pattern: 'x', with: 3}}", input: "axb", output: "a3b"),
            Run(yaml: "json", input: #"{"b": [1, 2.5, null], "a": true}"#, output: ["a": true, "b": [1, 2.5, nil]]),
            Run(yaml: "json", input: "```json\n[1, 2]\n```", output: [1, 2]),
            Run(yaml: "json", input: "Here you go:\n\n```json\n{\"ok\": 1}\n```\nAnything else?", output: ["ok": 1]),
            Run(yaml: "[json, join]", input: #"["a", 2, true]"#, output: "a\n2\ntrue"),
            Run(yaml: "[{json: {schema: {type: array}}}, trim]", input: #"[" a ", "b "]"#, output: ["a", "b"]),
        ])
    func outputs(_ run: Run) throws {
        let pipeline = validPipeline(run.yaml)
        #expect(try pipeline.apply(to: run.input) == run.output)
    }

    struct ListCase: CustomTestStringConvertible, Sendable {
        var name: String
        var processor: String
        var input: String
        var items: [String]
        var testDescription: String { name }
    }

    @Test(
        "list extraction",
        arguments: [
            ListCase(
                name: "intro and outro prose are ignored", processor: "bullet_list",
                input: "Here is the plan:\n\n- Introduction\n- Body\n\nI hope this helps!",
                items: ["Introduction", "Body"]),
            ListCase(
                name: "all bullet markers", processor: "bullet_list", input: "- a\n* b\n+ c\n• d\n◦ e\n‣ f\n– g",
                items: ["a", "b", "c", "d", "e", "f", "g"]),
            ListCase(
                name: "continuation lines are joined", processor: "bullet_list",
                input: "- First item\n  wraps here\n- Second\nlazy continuation\n-  Third  ",
                items: ["First item wraps here", "Second lazy continuation", "Third"]),
            ListCase(
                name: "indented paragraph after a blank line continues the item", processor: "bullet_list",
                input: "- One\n\n  more about one\n- Two", items: ["One more about one", "Two"]),
            ListCase(
                name: "nested items join their parent", processor: "bullet_list",
                input: "- Intro\n  - hook\n  - thesis\n- Body", items: ["Intro; hook; thesis", "Body"]),
            ListCase(
                name: "bold text and rules are not bullets", processor: "bullet_list",
                input: "**Plan**\n- a\n---\n- b\n\n***", items: ["a", "b"]),
            ListCase(
                name: "a heading ends an item", processor: "bullet_list", input: "- a\n## Next\n- b", items: ["a", "b"]),
            ListCase(
                name: "empty items are dropped", processor: "bullet_list", input: "- \n- a\n-", items: ["a"]),
            ListCase(
                name: "numbered with both delimiters", processor: "numbered_list",
                input: "1. One\n2) Two\n10. Ten\n2024 was a year", items: ["One", "Two", "Ten 2024 was a year"]),
            ListCase(
                name: "numbered items with nested bullets", processor: "numbered_list",
                input: "1. **Intro**\n   - hook\n2. Body\n   More body.", items: ["**Intro**; hook", "Body More body."]),
            ListCase(
                name: "bullets nested under numbers", processor: "bullet_list",
                input: "1. Intro\n   - a\n   - b\n2. Body\n   - c", items: ["a", "b", "c"]),
            ListCase(
                name: "list takes either kind", processor: "list", input: "- a\n1. b\n* c", items: ["a", "b", "c"]),
            ListCase(
                name: "CRLF and tabs", processor: "list", input: "-\tone\r\n-\ttwo\r\n", items: ["one", "two"]),
            ListCase(
                name: "decimals are not items", processor: "numbered_list", input: "3.14 is pi\n1. real",
                items: ["real"]),
        ])
    func lists(_ c: ListCase) throws {
        let pipeline = validPipeline(c.processor)
        #expect(try pipeline.apply(to: c.input) == .list(c.items.map(Value.string)))
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        var yaml: String
        var input: String
        var processor: String
        var position: Int
        var message: String
        var testDescription: String { "\(yaml): \(message.prefix(40))" }
    }

    @Test(
        "errors",
        arguments: [
            Failure(
                yaml: "[trim, bullet_list]", input: "Just a sentence.", processor: "bullet_list", position: 1,
                message: "no bullet items found: expected lines starting with '-', '*', '+' or '•'"),
            Failure(
                yaml: "bullet_list", input: "1. a\n2. b", processor: "bullet_list", position: 0,
                message:
                    "no bullet items found: expected lines starting with '-', '*', '+' or '•' (the output is a numbered list: use 'numbered_list' or 'list')"
            ),
            Failure(
                yaml: "numbered_list", input: "- a", processor: "numbered_list", position: 0,
                message:
                    "no numbered items found: expected lines starting with '1.' or '1)' (the output is a bullet list: use 'bullet_list' or 'list')"
            ),
            Failure(
                yaml: "list", input: "", processor: "list", position: 0,
                message: "no list items found: expected lines starting with '-', '*', '+', '•', '1.' or '1)'"),
            Failure(
                yaml: "lines", input: " \n\n", processor: "lines", position: 0,
                message: "the output has no non-empty lines"),
            Failure(
                yaml: "first_line", input: "", processor: "first_line", position: 0, message: "the output is empty"),
            Failure(
                yaml: "{split: ';'}", input: " ; ", processor: "split", position: 0,
                message: #"the output has no non-empty pieces between ";""#),
            Failure(
                yaml: #"{regex: "Title: (.*)"}"#, input: "no title", processor: "regex", position: 0,
                message: #"no match for "Title: (.*)" in the output"#),
            Failure(
                yaml: #"{regex: {pattern: "a|(b)", group: 1}}"#, input: "a", processor: "regex", position: 0,
                message: #"group 1 of "a|(b)" did not take part in the match"#),
            Failure(
                yaml: "json", input: "{\n  \"a\": 1,\n  \"b\": }", processor: "json", position: 0,
                message: "invalid JSON at 3:8: unexpected '}'"),
            Failure(
                yaml: "json", input: "Sure!\n```json\n{\"a\": 1,,}\n```", processor: "json", position: 0,
                message: "invalid JSON at 3:9 (inside the code fence): expected a string key"),
            Failure(
                yaml: "json", input: "I cannot do that.", processor: "json", position: 0,
                message: "invalid JSON at 1:1: unexpected 'I'"),
            Failure(
                yaml: "[json, trim]", input: #"{"a": 1}"#, processor: "trim", position: 1,
                message: "expected text or a list of texts, got an object"),
            Failure(
                yaml: "[json, trim]", input: #"["a", 1]"#, processor: "trim", position: 1,
                message: "expected a list of texts, but item 1 is an integer"),
            Failure(
                yaml: "[json, join]", input: #"[[1]]"#, processor: "join", position: 1,
                message: "can only join texts and numbers, but item 0 is a list"),
            Failure(
                yaml: "[json, join]", input: #""text""#, processor: "join", position: 1,
                message: "expected a list, got a string"),
            Failure(
                yaml: "[json, lines]", input: "[]", processor: "lines", position: 1,
                message: "expected text, got a list"),
        ])
    func errors(_ f: Failure) {
        let pipeline = validPipeline(f.yaml)
        #expect(throws: PostProcessError(processor: f.processor, position: f.position, message: f.message)) {
            try pipeline.apply(to: f.input)
        }
    }

    @Test("schema violations list every path")
    func schemaViolations() throws {
        let pipeline = validPipeline(
            """
            - json:
                schema:
                  type: object
                  required: [items]
                  properties:
                    items:
                      type: array
                      items:
                        type: object
                        required: [title, rating]
                        properties: {title: {type: string}, rating: {type: integer, minimum: 1, maximum: 5}}
            """)
        let output = """
            ```json
            {"items": [{"title": "A", "rating": 5}, {"title": "B", "rating": 9}, {"title": "C", "rating": "4"}, {"rating": 2}]}
            ```
            """
        do throws(PostProcessError) {
            _ = try pipeline.apply(to: output)
            Issue.record("expected a schema error")
        } catch {
            #expect(error.processor == "json")
            #expect(
                error.details == [
                    "$.items[1].rating: expected a number <= 5, got 9",
                    "$.items[2].rating: expected integer, got string",
                    "$.items[3]: missing required property 'title'",
                ])
            #expect(
                error.message == "output does not match the schema: 3 schema violations: "
                    + "$.items[1].rating: expected a number <= 5, got 9; $.items[2].rating: expected integer, got string; "
                    + "$.items[3]: missing required property 'title'")
            #expect(error.description.hasPrefix("post-processor 'json' failed: output does not match the schema"))
        }
        let valid = #"{"items": [{"title": "A", "rating": 5}]}"#
        #expect(try pipeline.apply(to: valid) == ["items": [["title": "A", "rating": 5]]])
    }

    @Test("one schema violation reads as one sentence")
    func oneViolation() {
        let pipeline = validPipeline("{json: {schema: {type: array}}}")
        #expect(
            throws: PostProcessError(
                processor: "json", position: 0,
                message: "output does not match the schema: $: expected array, got object",
                details: ["$: expected array, got object"])
        ) {
            try pipeline.apply(to: "{}")
        }
    }

    @Test("one pipeline can run in many tasks at once (for_each items run in parallel)")
    func concurrentUse() async throws {
        let pipeline = validPipeline(#"[{regex: {pattern: "item (\\d+)", all: true}}, {join: ","}]"#)
        let results = await withTaskGroup(of: String?.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var last: String?
                    for i in 0..<200 {
                        last = try? pipeline.apply(to: "item \(task) and item \(i)").stringValue
                    }
                    return last
                }
            }
            return await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(results == Set((0..<8).map { "\($0),199" }))
    }

    @Test("programmatic pipelines work without YAML")
    func programmatic() throws {
        let pipeline = PostPipeline([
            .stripCodeFences, .regex(try RegexPattern("- (.*)"), group: .number(1), all: true), .join(", "),
        ])
        #expect(try pipeline.apply(to: "```\n- a\n- b\n```") == "a, b")
        #expect(pipeline.outputShape == .text)
        #expect(PostPipeline([.trim, .join(",")]).outputShape == .text)
    }

    @Test func trimRemovesExactlyWhatFoundationCallsWhiteSpace() {
        // Every scalar Foundation's .whitespacesAndNewlines holds, and look-alikes it does not.
        let spaces = (0...0x3000).compactMap(Unicode.Scalar.init).filter {
            CharacterSet.whitespacesAndNewlines.contains($0)
        }
        let lookAlikes: [Unicode.Scalar] = ["\u{200B}", "\u{180E}", "\u{FEFF}", "\u{2060}", "\u{0}", "x", "é"]
        var samples = ["", " ", "plain", "  two words \n", "\u{301}accent first", "日本 \u{3000}"]
        for scalar in spaces + lookAlikes {
            let s = String(scalar)
            samples += [s, s + "a" + s, "a" + s + "b", s + s + "é" + s]
        }
        for sample in samples {
            #expect(PostProcessor.trimmed(sample) == sample.trimmingCharacters(in: .whitespacesAndNewlines), "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(spaces.count >= 25)
    }
}

/// Runs every example in `docs/post-processors.md`: a ```` ```yaml ```` block starting with `post:`,
/// then the model output in a `text` block, then the expected result in a `json` or `error` block.
@Suite("Post-processors: documentation examples")
struct PostProcessorDocsTests {
    struct Example: CustomTestStringConvertible, Sendable {
        var line: Int
        var post: String
        var output: String
        var expectedJSON: String?
        var expectedError: String?
        var testDescription: String { "docs/post-processors.md:\(line)" }
    }

    static let documentPath: String = {
        var url = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        url += "/docs/post-processors.md"
        return url
    }()

    /// Fenced blocks of a Markdown text: (info string, content, line of the opening fence).
    static func blocks(_ text: String) -> [(info: String, content: String, line: Int)] {
        var result: [(String, String, Int)] = []
        let lines = TextLines.split(text)
        var index = 0
        while index < lines.count {
            guard let opening = CodeFence.openingFence(lines[index]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < lines.count, !CodeFence.isClosingFence(lines[end], for: opening) { end += 1 }
            result.append((opening.info, lines[(index + 1)..<min(end, lines.count)].joined(separator: "\n"), index + 1))
            index = end + 1
        }
        return result
    }

    static let examples: [Example] = {
        guard let text = try? String(contentsOfFile: documentPath, encoding: .utf8) else { return [] }
        let all = blocks(text)
        var examples: [Example] = []
        for (i, block) in all.enumerated() where block.info == "yaml" && block.content.hasPrefix("post:") {
            guard i + 2 < all.count, all[i + 1].info == "text" else { continue }
            let result = all[i + 2]
            examples.append(
                Example(
                    line: block.line, post: block.content, output: all[i + 1].content,
                    expectedJSON: result.info == "json" ? result.content : nil,
                    expectedError: result.info == "error" ? result.content : nil))
        }
        return examples
    }()

    static func pipeline(_ example: Example) -> PostPipeline? {
        guard case .success(let node?) = YAMLDocument.parse(example.post, file: "docs/post-processors.md"),
            let post = node["post"]
        else { return nil }
        let (pipeline, diagnostics) = PostPipeline.parse(post)
        return diagnostics.isEmpty ? pipeline : nil
    }

    @Test("the page has an example for every processor")
    func coverage() {
        #expect(Self.examples.count >= PostPipeline.names.count, "read \(Self.documentPath)")
        let used = Set(Self.examples.compactMap(Self.pipeline).flatMap { $0.processors.map(\.name) })
        for name in PostPipeline.names {
            #expect(used.contains(name), "no example uses '\(name)'")
        }
    }

    @Test("examples", arguments: examples)
    func example(_ example: Example) throws {
        let pipeline = try #require(Self.pipeline(example), "the yaml block is not a valid post: list")
        let result = Result { () throws(PostProcessError) -> Value in try pipeline.apply(to: example.output) }
        switch result {
        case .success(let value):
            let expected = try #require(example.expectedJSON, "the example expects an error, got \(value)")
            #expect(value == (try JSONText.decode(expected)))
        case .failure(let error):
            #expect(error.description == example.expectedError)
        }
    }
}
