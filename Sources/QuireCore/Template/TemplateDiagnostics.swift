/// The diagnostics the template language reports. Identifiers and message formats are part of the
/// contract: scripts, docs and the spec suite (`Tests/QuireCoreTests/Fixtures/template-spec`) rely on them.
enum TemplateDiagnostics {
    static let syntax = "template.syntax"
    static let undefinedVariable = "template.undefined-variable"
    static let unknownFilter = "template.unknown-filter"
    static let unknownTest = "template.unknown-test"
    static let filterArgument = "template.filter-argument"
    static let typeError = "template.type-error"
    static let includeCycle = "template.include-cycle"
    static let includeNotFound = "template.include-not-found"
    static let tooDeep = "template.too-deep"
    static let tooLarge = "template.too-large"

    /// Every identifier above, for docs and tests.
    static let allIDs = [
        syntax, undefinedVariable, unknownFilter, unknownTest, filterArgument, typeError, includeCycle,
        includeNotFound, tooDeep, tooLarge,
    ]

    static func error(
        _ id: String, _ message: String, at position: TemplatePosition, in file: String,
        notes: [String] = [], suggestion: String? = nil
    ) -> Diagnostic {
        .error(id, message, at: position.location(in: file), notes: notes, suggestion: suggestion)
    }

    /// A name or path as shown in messages; very long ones are shortened.
    static func shown(_ name: String) -> String {
        guard name.unicodeScalars.count > 80 else { return name }
        return String(String.UnicodeScalarView(name.unicodeScalars.prefix(77))) + "…"
    }

    /// `did you mean 'x'?` for plausible typos; long words are never typos of short names.
    static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String? {
        guard word.unicodeScalars.count <= 64 else { return nil }
        return Suggestions.didYouMean(word, in: candidates.lazy.filter { $0.unicodeScalars.count <= 64 })
    }

    static func isUndefined(_ error: DiagnosticError) -> Bool {
        error.diagnostics.first?.id == undefinedVariable
    }
}

/// Limits that keep hostile templates from exhausting the stack, memory or time.
enum TemplateLimits {
    /// Nested blocks in one template, and blocks plus includes while rendering.
    static let maxNesting = 200
    /// Nested groupings (parentheses, brackets, filter arguments, prefix operators) in one expression.
    static let maxExpressionNesting = 100
    /// Depth of an expression's syntax tree (long operator chains count too).
    static let maxExpressionDepth = 200
    /// Nested includes.
    static let maxIncludeDepth = 32
    /// Syntax errors collected before parsing stops.
    static let maxErrors = 100
    /// UTF-8 size of any string a template builds, and of the rendered text.
    static let maxTextBytes = 16 * 1024 * 1024
    /// Elements (counted recursively) of a list a template builds.
    static let maxListElements = 1_000_000
    /// Nesting of a list a template builds.
    static let maxListDepth = 100
    /// Work units per render: one per evaluated expression and loop iteration, one per element walked.
    static let maxWork = 5_000_000
}
