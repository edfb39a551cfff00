/// A 1-based line and column in a template's file (the line already includes the template's line offset).
struct TemplatePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    var line: Int
    var column: Int

    func location(in file: String) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    var description: String { "\(line):\(column)" }

    static func < (a: TemplatePosition, b: TemplatePosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// One token inside a `{{ … }}` or `{% … %}` tag.
struct TemplateToken: Sendable {
    enum Kind: Sendable, Equatable {
        case name(String)
        case integer(Int)
        case number(Double)
        case string(String)
        /// Operators and punctuation: `==`, `(`, `|`, …
        case symbol(String)
        /// The closing delimiter of the tag.
        case end
    }

    var kind: Kind
    var position: TemplatePosition

    /// How the token is named in "found …" messages.
    var display: String {
        switch kind {
        case .name(let name): "'\(TemplateDiagnostics.shown(name))'"
        case .integer(let value): "'\(value)'"
        case .number(let value): "'\(Value.format(value))'"
        case .string: "a string"
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "the end of the tag"
        }
    }
}
