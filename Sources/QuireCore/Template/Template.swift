/// A parsed template in Quire's strict template language, a small Jinja subset.
///
/// Parsing collects syntax errors; rendering is one pass over the parsed tree, so values are never
/// re-interpreted as template code, nothing is HTML-escaped, and any undefined variable, missing key
/// or type mismatch is an error at its `file:line:col`. See `docs/templates.md` for the language.
public struct Template: Sendable {
    /// Workspace-relative path used in diagnostics.
    public let file: String
    let nodes: [TemplateNode]
    /// Free variables the template reads from its context (not loop variables or `set` variables),
    /// in source order, one entry per use.
    public let variableUses: [TemplateVariableUse]
    /// Every `{% include "name" %}`, in source order.
    public let includes: [TemplateInclude]

    /// Parses `source`.
    ///
    /// - Parameters:
    ///   - file: workspace-relative path used in diagnostics.
    ///   - lineOffset: number of lines in the file before the template's first line (prompt files have
    ///     front matter and role markers before a body section); added to every reported line.
    /// - Throws: every syntax error found (up to 100), sorted by position, as a `DiagnosticError`.
    public static func parse(_ source: String, file: String, lineOffset: Int = 0) throws(DiagnosticError) -> Template {
        let scalars = Array(source.unicodeScalars)
        var lexer = TemplateLexer(scalars: scalars, file: file, lineOffset: lineOffset)
        lexer.tokenize()
        var pieces = lexer.pieces
        TemplateWhitespace.apply(to: &pieces, scalars: scalars)
        var parser = TemplateParser(file: file, scalars: scalars, endPosition: lexer.position)
        let nodes = parser.parse(pieces, lexerErrors: lexer.diagnostics.count)
        let diagnostics = lexer.diagnostics + parser.diagnostics
        if !diagnostics.isEmpty {
            let sorted = diagnostics.enumerated().sorted { a, b in
                let la = a.element.location, lb = b.element.location
                let pa = (la?.line ?? 0, la?.column ?? 0), pb = (lb?.line ?? 0, lb?.column ?? 0)
                return pa != pb ? pa < pb : a.offset < b.offset
            }
            throw DiagnosticError(Array(sorted.map(\.element).prefix(TemplateLimits.maxErrors)))
        }
        var analysis = TemplateVariableAnalysis(file: file)
        analysis.analyze(nodes)
        return Template(file: file, nodes: nodes, variableUses: analysis.uses, includes: parser.includes)
    }

    /// Root names that must be supplied (uses that are not guarded), de-duplicated and sorted.
    public var requiredVariables: [String] {
        Set(variableUses.lazy.filter { !$0.isGuarded }.map(\.name)).sorted()
    }

    /// Renders the template with `context` in one pass.
    ///
    /// Includes are resolved through `includes` and rendered with the current variables. Undefined
    /// variables, type errors, include cycles and exceeded limits throw a located `DiagnosticError`.
    public func render(
        _ context: [String: Value], includes: any TemplateIncludeResolver = NoIncludes()
    ) throws(DiagnosticError) -> String {
        var renderer = TemplateRenderer(context: context, resolver: includes, file: file)
        try renderer.render(nodes)
        return renderer.output
    }
}

/// One place where a template reads a variable from its context.
public struct TemplateVariableUse: Sendable, Hashable {
    /// The root variable, e.g. `plan` for `plan.sections[0].title`.
    public var name: String
    /// The path as written, up to the first computed index: `plan.sections[0].title`, `items` for `items[i]`.
    public var path: String
    /// Where the root variable is written.
    public var location: SourceLocation
    /// The use cannot fail on an undefined value: it is under `| default(…)`, an `is defined` test,
    /// or inside `{% if x is defined %}` (or a branch where `x is not defined` was false).
    public var isGuarded: Bool

    public init(name: String, path: String, location: SourceLocation, isGuarded: Bool) {
        self.name = name
        self.path = path
        self.location = location
        self.isGuarded = isGuarded
    }
}

/// One `{% include "name" %}` in a template.
public struct TemplateInclude: Sendable, Hashable {
    public var name: String
    /// Where the quoted name is written.
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}
