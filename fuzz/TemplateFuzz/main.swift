// libFuzzer target: the template lexer, parser, variable analysis and renderer.
//
// The input is a template (any bytes, decoded as UTF-8 with replacement characters). It is parsed;
// when it parses, it is rendered against a small fixed context with in-memory partials, one of
// which includes itself. Every outcome is fine except a crash, a hang or a runaway allocation:
// errors must come back as located diagnostics. Built and run by `scripts/fuzz template`.
import QuireCore

let context: [String: Value] = [
    "topic": .string("Structured concurrency"),
    "audience": .string("engineers"),
    "count": .int(3),
    "ratio": .double(0.5),
    "flag": .bool(true),
    "nothing": .null,
    "items": .list([.string("a"), .int(2), .list([.string("nested")]), .object(["title": .string("T")])]),
    "plan": .object([
        "title": .string("Plan"),
        "sections": .list([.object(["title": .string("One"), "words": .int(120)])]),
    ]),
]

let partials = DictionaryIncludes([
    "partials/tone.md": "Write for {{ audience }}.",
    "partials/loop.md": "{% for x in items %}{{ loop.index }}:{{ x }} {% endfor %}",
    "partials/self.md": "again {% include \"partials/self.md\" %}",
    "partials/broken.md": "{% if %}",
])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do throws(DiagnosticError) {
        let template = try Template.parse(source, file: "prompts/fuzz/v1.prompt", lineOffset: 3)
        _ = template.requiredVariables
        _ = try template.render(context, includes: partials)
    } catch {
        // A diagnostic is the expected answer to bad input; it must name a place.
        for diagnostic in error.diagnostics where diagnostic.location == nil && diagnostic.id != "template.too-large" {
            fatalError("diagnostic without a location: \(diagnostic)")
        }
    }
    return 0
}
