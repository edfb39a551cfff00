// quire-bench: in-process timings that a process-level benchmark cannot isolate.
//
//   quire-bench runs …   N concurrent runs of a workflow in one process: see ConcurrentRuns.swift.
//
//   quire-bench template [--lines N] [--style dense|prose] [--iterations N] [--warmup N]
//                        [--write-workspace DIR]
//
// Generates a template of N lines (default 10,000), then parses and renders it --iterations times in
// this process. `dense` (the default) puts tags on almost every line and uses every construct a real
// prompt uses (variables with dotted paths and indexes, filters with arguments, if/elif/else, for
// loops with loop.index, raw blocks, comments, whitespace control): about 45 tags per 21 lines.
// `prose` reads like a long prompt: prose lines, with tags on 4 lines in 21.
// Prints one line per timed iteration: `parse_ms render_ms total_ms output_lines`.
//
// --write-workspace DIR also writes a workspace (quire.yaml, the template as prompts/big/v1.prompt,
// workflows/big-render.yaml, vars.yaml) so `quire render big-render` can time the same template
// end to end. See benchmarks/README.md.
import Foundation
import QuireCore

enum BigTemplate {
    /// One block of exactly `blockLines` template lines.
    static let blockLines = 21

    static func block(_ n: Int) -> String {
        """
        {# block \(n): a comment the renderer skips #}
        ## Part \(n): {{ title | upper }} for {{ audience | default("software engineers") }}
        This paragraph explains part \(n) of {{ topic }} in plain words, with no tags at all on the line.
        The reader is {{ reader.name }} ({{ reader.role | lower }}), who asked about {{ tags[0] }} and {{ tags[-1] }}.
        {% if show_notes -%}
        Notes: {{ notes | join(", ") }} ({{ notes | length }} in all; first {{ notes | first }}, last {{ notes | last }}).
        {% elif draft -%}
        Draft: nothing to add.
        {%- else -%}
        No notes for part \(n).
        {%- endif %}
        {% for item in items -%}
        {{ loop.index }}. {{ item.name | trim }}{% if loop.first %} (first){% endif %}{% if loop.last %} (last){% endif %}: {{ item.tags | join("/") }}
        {% endfor -%}
        Facts as JSON: {{ facts | json }}
        {% raw %}Literal {{ braces }} and {% tags %} stay as written in part \(n).{% endraw %}
        Summary of part \(n): {{ summary | trim | indent(2) }}
        Key points:
        {{ points | bullets }}
        Steps, in order:
        {{ points | numbered }}
        """ + "\n"
    }

    /// A block of exactly `blockLines` lines that reads like a long prompt: prose, with tags on 4 lines.
    static func proseBlock(_ n: Int) -> String {
        let prose = (1...16).map { line in
            "Paragraph \(n), line \(line): the report explains each idea in plain words, with an example, and says why it matters."
        }
        return
            (["## Part \(n): {{ title }} for {{ audience | default(\"software engineers\") }}"] + prose[0..<8]
            + ["The reader is {{ reader.name }}, who asked about {{ tags | join(\", \") }}."] + prose[8..<16]
            + [
                "{% if show_notes %}Notes: {{ notes | join(\", \") }}{% else %}No notes.{% endif %}",
                "Summary of part \(n): {{ summary | trim }}", "", "",
            ]).joined(separator: "\n")
    }

    static func source(lines: Int, prose: Bool) -> String {
        let blocks = lines / blockLines
        var text = ""
        text.reserveCapacity(blocks * 2_400)
        for n in stride(from: 1, through: blocks, by: 1) { text += prose ? proseBlock(n) : block(n) }
        // Pad with plain lines to the exact count.
        for n in 0..<(lines - blocks * blockLines) { text += "Closing line \(n) about {{ topic }}.\n" }
        return text
    }

    static let context: [String: Value] = [
        "topic": .string("structured concurrency in Swift"),
        "title": .string("Task groups"),
        "audience": .string("backend developers"),
        "reader": .object(["name": .string("Ada"), "role": .string("Staff Engineer")]),
        "tags": .list([.string("actors"), .string("sendable"), .string("cancellation")]),
        "show_notes": .bool(true),
        "draft": .bool(false),
        "notes": .list([.string("bounded"), .string("cancellable"), .string("ordered")]),
        "items": .list(
            (1...3).map { i in
                .object(["name": .string("  item \(i)  "), "tags": .list([.string("t\(i)"), .string("u\(i)")])])
            }),
        "facts": .object(["calls": .int(8), "model": .string("fake-model"), "ok": .bool(true)]),
        "summary": .string("  Start tasks in a group.\nAwait them all.  "),
        "points": .list([.string("Start"), .string("Await"), .string("Cancel")]),
    ]

    /// The inputs of the generated workspace's workflow, as YAML.
    static let varsYAML = """
        topic: structured concurrency in Swift
        title: Task groups
        audience: backend developers
        reader: {name: Ada, role: Staff Engineer}
        tags: [actors, sendable, cancellation]
        show_notes: true
        draft: false
        notes: [bounded, cancellable, ordered]
        items:
          - {name: "  item 1  ", tags: [t1, u1]}
          - {name: "  item 2  ", tags: [t2, u2]}
          - {name: "  item 3  ", tags: [t3, u3]}
        facts: {calls: 8, model: fake-model, ok: true}
        summary: "  Start tasks in a group.\\nAwait them all.  "
        points: [Start, Await, Cancel]

        """

    static let inputTypes: [(String, String)] = [
        ("topic", "string"), ("title", "string"), ("audience", "string"), ("reader", "object"), ("tags", "list"),
        ("show_notes", "boolean"), ("draft", "boolean"), ("notes", "list"), ("items", "list"),
        ("facts", "object"), ("summary", "string"), ("points", "list"),
    ]

    static func writeWorkspace(to directory: URL, source: String) throws {
        let fm = FileManager.default
        for folder in ["prompts/big", "workflows", "output"] {
            try fm.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let inputs = inputTypes.map { "  \($0.0): {type: \($0.1)}" }.joined(separator: "\n")
        let prompt =
            "---\ndescription: A 10,000-line template for the render benchmark.\ninputs:\n\(inputs)\n---\n" + source
        let workflow = """
            name: big-render
            description: Renders the benchmark's big template locally (no model call).
            inputs:
            \(inputs)
            steps:
              - id: page
                template: big@v1
                output: page.md

            """
        let files = [
            "quire.yaml": "# Generated by quire-bench for the render benchmark.\n",
            "prompts/big/v1.prompt": prompt,
            "workflows/big-render.yaml": workflow,
            "vars.yaml": varsYAML,
        ]
        for (path, text) in files {
            try Data(text.utf8).write(to: directory.appendingPathComponent(path), options: .atomic)
        }
    }
}

struct NoPartials: TemplateIncludeResolver {
    func template(named name: String, includedFrom location: SourceLocation) throws(DiagnosticError) -> Template {
        throw DiagnosticError(.error("template.unknown-include", "no partial '\(name)' in the benchmark", at: location))
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("quire-bench: \(message)\n".utf8))
    exit(64)
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func runTemplate(_ arguments: ArraySlice<String>) {
    var lines = 10_000, iterations = 20, warmup = 3
    var workspace: String?
    var prose = false
    var rest = arguments
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { fail("missing value after \(flag)") }
        switch flag {
        case "--lines", "--iterations", "--warmup":
            guard let number = Int(value), number >= (flag == "--warmup" ? 0 : 1), number <= 1_000_000 else {
                fail("\(flag) wants a number from \(flag == "--warmup" ? 0 : 1) to 1000000")
            }
            if flag == "--lines" {
                lines = number
            } else if flag == "--iterations" {
                iterations = number
            } else {
                warmup = number
            }
        case "--write-workspace": workspace = value
        case "--style":
            guard value == "dense" || value == "prose" else { fail("--style wants dense or prose") }
            prose = value == "prose"
        default: fail("unknown option \(flag)")
        }
    }
    let source = BigTemplate.source(lines: lines, prose: prose)
    let sourceLines = source.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    guard sourceLines == lines else { fail("generated \(sourceLines) lines instead of \(lines)") }
    if let workspace {
        do { try BigTemplate.writeWorkspace(to: URL(fileURLWithPath: workspace), source: source) } catch {
            fail("cannot write the workspace: \(error)")
        }
    }
    let clock = ContinuousClock()
    for iteration in 0..<(warmup + iterations) {
        let start = clock.now
        let template: Template
        do { template = try Template.parse(source, file: "prompts/big/v1.prompt") } catch {
            fail("parse failed:\n\(error)")
        }
        let parsed = clock.now
        let output: String
        do { output = try template.render(BigTemplate.context, includes: NoPartials()) } catch {
            fail("render failed:\n\(error)")
        }
        let rendered = clock.now
        guard iteration >= warmup else { continue }
        let outputLines = output.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let parse = milliseconds(parsed - start), render = milliseconds(rendered - parsed)
        print(String(format: "%.3f %.3f %.3f %d", parse, render, parse + render, outputLines))
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "template": runTemplate(arguments.dropFirst())
case "runs": await ConcurrentRuns.run(arguments.dropFirst())
default:
    fail(
        """
        usage: quire-bench template [--lines N] [--style dense|prose] [--iterations N] [--warmup N] [--write-workspace DIR]
               quire-bench runs -C DIR WORKFLOW --count N [--var k=v]… [--provider P] [--model M] [--out-prefix P] [--shared-client]
        """)
}
