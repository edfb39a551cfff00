/// Supplies the templates named by `{% include "name" %}`.
public protocol TemplateIncludeResolver: Sendable {
    /// Returns the parsed template for an include name such as `partials/tone.md`; throws a located
    /// diagnostic (`template.include-not-found` at `location`) if there is none.
    func template(named name: String, includedFrom location: SourceLocation) throws(DiagnosticError) -> Template
}

/// A resolver for contexts where includes are not available: every include is an error.
public struct NoIncludes: TemplateIncludeResolver {
    public init() {}

    public func template(named name: String, includedFrom location: SourceLocation) throws(DiagnosticError) -> Template
    {
        throw DiagnosticError(
            .error(
                TemplateDiagnostics.includeNotFound, "included template '\(TemplateDiagnostics.shown(name))' not found",
                at: location,
                notes: ["no templates can be included here"]))
    }
}

/// Included templates from memory, keyed by include name; for tests and in-memory use.
///
/// Each source is parsed once, with its name as the file in diagnostics; a source with syntax
/// errors throws them when it is included.
public struct DictionaryIncludes: TemplateIncludeResolver {
    private let templates: [String: Result<Template, DiagnosticError>]

    public init(_ sources: [String: String]) {
        var templates: [String: Result<Template, DiagnosticError>] = [:]
        for (name, source) in sources {
            do throws(DiagnosticError) {
                templates[name] = .success(try Template.parse(source, file: name))
            } catch {
                templates[name] = .failure(error)
            }
        }
        self.templates = templates
    }

    public func template(named name: String, includedFrom location: SourceLocation) throws(DiagnosticError) -> Template
    {
        guard let result = templates[name] else {
            throw DiagnosticError(
                .error(
                    TemplateDiagnostics.includeNotFound,
                    "included template '\(TemplateDiagnostics.shown(name))' not found", at: location,
                    suggestion: TemplateDiagnostics.didYouMean(name, in: templates.keys)))
        }
        return try result.get()
    }
}
