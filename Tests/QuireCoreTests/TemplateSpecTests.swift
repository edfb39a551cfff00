import Foundation
import QuireCore
import Testing
import Yams

/// Runs the template language's spec suite: `Fixtures/template-spec/*.yaml`.
///
/// Each case renders `template` with `data` (and `includes`) and expects either the exact `output`
/// or the `error` (first diagnostic) / `errors` (all diagnostics). Optional keys: `file` (the
/// template's file name, default `spec.prompt`), `line_offset`, `required` (expected
/// `requiredVariables`), `uses` (expected `variableUses`), `include_names` (expected `includes`).
@Suite("Template spec")
struct TemplateSpecTests {
    @Test("spec case", arguments: TemplateSpec.cases)
    func specCase(_ spec: TemplateSpecCase) throws {
        try spec.run()
    }

    @Test("the spec suite is large enough to document the language")
    func suiteSize() {
        let cases = TemplateSpec.cases
        #expect(cases.count >= 90, "only \(cases.count) spec cases")
        #expect(Set(cases.map(\.id)).count == cases.count, "spec case names must be unique per file")
    }

    @Test("every filter is covered by the spec")
    func everyFilterCovered() {
        let templates = TemplateSpec.cases.filter { $0.file == "filters.yaml" }.map(\.template).joined(separator: "\n")
        for name in TemplateFilters.names {
            #expect(templates.contains("| \(name)"), "filters.yaml has no case using '| \(name)'")
        }
    }

    @Test("every error id is covered by the spec")
    func everyErrorCovered() {
        let ids = Set(TemplateSpec.cases.flatMap { $0.expectedErrors.map(\.id) })
        for id in [
            "template.syntax", "template.undefined-variable", "template.unknown-filter", "template.unknown-test",
            "template.filter-argument", "template.type-error", "template.include-cycle", "template.include-not-found",
            "template.too-deep", "template.too-large",
        ] {
            #expect(ids.contains(id), "no spec case expects \(id)")
        }
    }
}

// MARK: - Loading

struct ExpectedError: Sendable, CustomStringConvertible {
    var id: String
    var line: Int?
    var column: Int?
    var message: String?
    var file: String?
    var suggestion: String?

    var description: String {
        let position = "\(line.map(String.init) ?? "?"):\(column.map(String.init) ?? "?")"
        return "\(file.map { "\($0):" } ?? "")\(position) \(id) \(message ?? "")"
    }

    func matches(_ diagnostic: Diagnostic) -> Bool {
        diagnostic.id == id && (line == nil || diagnostic.location?.line == line)
            && (column == nil || diagnostic.location?.column == column)
            && (message == nil || diagnostic.message == message) && (file == nil || diagnostic.location?.file == file)
            && (suggestion == nil || diagnostic.suggestion == suggestion)
    }
}

struct ExpectedUse: Sendable {
    var name: String
    var path: String
    var line: Int
    var column: Int
    var guarded: Bool
}

struct TemplateSpecCase: Sendable, CustomTestStringConvertible {
    var file: String
    var line: Int
    var name: String
    var templateFile = "spec.prompt"
    var template = ""
    var data: [String: Value] = [:]
    var includes: [String: String] = [:]
    var lineOffset = 0
    var output: String?
    var expectedErrors: [ExpectedError] = []
    /// `errors:` lists every diagnostic; `error:` only the first.
    var expectsAllErrors = false
    var required: [String]?
    var uses: [ExpectedUse]?
    var includeNames: [String]?
    var loadError: String?

    var id: String { "\(file): \(name)" }
    var testDescription: String { "\(file):\(line) \(name)" }

    func run() throws {
        let place = "\(file):\(line) '\(name)'"
        if let loadError { Issue.record("\(place): \(loadError)"); return }
        let parsed: Template
        do {
            parsed = try Template.parse(template, file: templateFile, lineOffset: lineOffset)
        } catch {
            checkErrors(error.diagnostics, place)
            return
        }
        if let required { #expect(parsed.requiredVariables == required, "\(place): requiredVariables") }
        if let includeNames { #expect(parsed.includes.map(\.name) == includeNames, "\(place): includes") }
        if let uses {
            let actual = parsed.variableUses.map {
                "\($0.name) \($0.path) \($0.location.line):\($0.location.column)\($0.isGuarded ? " guarded" : "")"
            }
            let expected = uses.map { "\($0.name) \($0.path) \($0.line):\($0.column)\($0.guarded ? " guarded" : "")" }
            #expect(actual == expected, "\(place): variableUses")
        }
        do {
            let rendered = try parsed.render(data, includes: DictionaryIncludes(includes))
            if !expectedErrors.isEmpty {
                Issue.record("\(place): expected \(expectedErrors[0]) but rendered \(rendered.debugDescription)")
            } else if let output {
                #expect(rendered == output, "\(place)")
            }
        } catch {
            checkErrors(error.diagnostics, place)
        }
    }

    private func checkErrors(_ diagnostics: [Diagnostic], _ place: String) {
        guard !expectedErrors.isEmpty else {
            Issue.record("\(place): unexpected error:\n\(diagnostics.map(\.description).joined(separator: "\n"))")
            return
        }
        let shown = diagnostics.map(\.description).joined(separator: "\n")
        if expectsAllErrors {
            #expect(
                diagnostics.count == expectedErrors.count,
                "\(place): expected \(expectedErrors.count) errors, got:\n\(shown)")
        }
        for (i, expected) in expectedErrors.enumerated() {
            guard i < diagnostics.count else { break }
            #expect(expected.matches(diagnostics[i]), "\(place): expected \(expected), got:\n\(shown)")
        }
    }
}

enum TemplateSpec {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/template-spec")

    static let cases: [TemplateSpecCase] = load()

    static func load() -> [TemplateSpecCase] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".yaml") }.sorted()
        } catch {
            return [TemplateSpecCase(file: directory.path, line: 0, name: "load", loadError: "\(error)")]
        }
        return files.flatMap { load(file: $0) }
    }

    static func load(file: String) -> [TemplateSpecCase] {
        do {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            guard let root = try Yams.compose(yaml: text), let list = root.sequence else {
                return [TemplateSpecCase(file: file, line: 1, name: "file", loadError: "expected a list of cases")]
            }
            return list.map { node in
                do {
                    return try parseCase(node, file: file)
                } catch {
                    return TemplateSpecCase(
                        file: file, line: node.mark?.line ?? 0, name: node["name"]?.string ?? "?", loadError: "\(error)"
                    )
                }
            }
        } catch {
            return [TemplateSpecCase(file: file, line: 0, name: "file", loadError: "\(error)")]
        }
    }

    struct SpecError: Error, CustomStringConvertible {
        var description: String
    }

    static let knownKeys: Set<String> = [
        "name", "file", "template", "data", "includes", "line_offset", "output", "error", "errors", "required", "uses",
        "include_names",
    ]

    static func parseCase(_ node: Node, file: String) throws -> TemplateSpecCase {
        guard let mapping = node.mapping else { throw SpecError(description: "a case must be a mapping") }
        for (key, _) in mapping where !knownKeys.contains(key.string ?? "") {
            throw SpecError(description: "unknown key '\(key.string ?? "?")'")
        }
        guard let name = node["name"]?.string, let template = node["template"]?.string else {
            throw SpecError(description: "a case needs 'name' and 'template'")
        }
        var spec = TemplateSpecCase(file: file, line: node.mark?.line ?? 0, name: name, template: template)
        if let templateFile = node["file"]?.string { spec.templateFile = templateFile }
        if let data = node["data"] {
            guard case .object(let object) = try value(data) else {
                throw SpecError(description: "'data' must be a mapping")
            }
            spec.data = object
        }
        if let includes = node["includes"]?.mapping {
            for (key, value) in includes {
                guard let k = key.string, let v = value.string else { throw SpecError(description: "bad 'includes'") }
                spec.includes[k] = v
            }
        }
        if let offset = node["line_offset"]?.int { spec.lineOffset = offset }
        spec.output = node["output"]?.string
        if let error = node["error"] {
            spec.expectedErrors = [try expectedError(error)]
        }
        if let errors = node["errors"]?.sequence {
            spec.expectedErrors = try errors.map(expectedError)
            spec.expectsAllErrors = true
        }
        if spec.output == nil && spec.expectedErrors.isEmpty {
            throw SpecError(description: "a case needs 'output', 'error' or 'errors'")
        }
        if let required = node["required"]?.sequence { spec.required = required.compactMap(\.string) }
        if let names = node["include_names"]?.sequence { spec.includeNames = names.compactMap(\.string) }
        if let uses = node["uses"]?.sequence {
            spec.uses = try uses.map { use in
                guard let name = use["name"]?.string, let line = use["line"]?.int, let column = use["column"]?.int
                else {
                    throw SpecError(description: "a use needs name, line and column")
                }
                return ExpectedUse(
                    name: name, path: use["path"]?.string ?? name, line: line, column: column,
                    guarded: use["guarded"]?.bool ?? false)
            }
        }
        return spec
    }

    static func expectedError(_ node: Node) throws -> ExpectedError {
        guard let id = node["id"]?.string else { throw SpecError(description: "an error needs an 'id'") }
        return ExpectedError(
            id: id, line: node["line"]?.int, column: node["column"]?.int, message: node["message"]?.string,
            file: node["file"]?.string, suggestion: node["suggestion"]?.string)
    }

    /// Converts YAML to a `Value`, honouring quoting: `"12"` is a string, `12` an integer.
    static func value(_ node: Node) throws -> Value {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false)
            case Tag.Name.int.rawValue: return node.int.map(Value.int) ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(Value.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .list(try sequence.map(value))
        case .mapping(let mapping):
            var object: [String: Value] = [:]
            for (key, item) in mapping {
                guard let k = key.string else { throw SpecError(description: "mapping keys must be strings") }
                object[k] = try value(item)
            }
            return .object(object)
        case .alias:
            throw SpecError(description: "YAML aliases are not supported in spec data")
        }
    }
}
