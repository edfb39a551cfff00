/// Renders diagnostics as text: `path:line:col: error: message [id]`, optionally followed by the
/// source line and a caret under the column, notes and suggestions — like rustc and swift-docc.
public struct DiagnosticFormatter: Sendable {
    public var showSource: Bool
    public var color: Bool
    /// Returns the text of a workspace file, for the source excerpt.
    public var sourceText: @Sendable (String) -> String?

    public init(showSource: Bool = false, color: Bool = false, sourceText: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.showSource = showSource
        self.color = color
        self.sourceText = sourceText
    }

    public func format(_ diagnostic: Diagnostic) -> String {
        var out = ""
        if let location = diagnostic.location {
            out += paint("\(location): ", .bold)
        }
        switch diagnostic.severity {
        case .error: out += paint("error:", .red)
        case .warning: out += paint("warning:", .yellow)
        case .note: out += paint("note:", .cyan)
        }
        out += " " + paint(diagnostic.message, .bold) + " [\(diagnostic.id)]"
        if showSource, let location = diagnostic.location, let text = sourceText(location.file),
           let line = TextLines.line(location.line, of: text) {
            let printable = line.replacingTabs()
            let gutter = String(location.line)
            let pad = String(repeating: " ", count: gutter.count)
            out += "\n\(pad) |\n\(gutter) | \(printable)\n\(pad) | "
            let prefix = Array(line.unicodeScalars.prefix(max(0, location.column - 1)))
            let width = prefix.reduce(0) { $0 + ($1 == "\t" ? 4 : 1) }
            out += String(repeating: " ", count: width) + paint("^", .green)
        }
        for note in diagnostic.notes {
            out += "\n  " + paint("note:", .cyan) + " \(note)"
        }
        if let suggestion = diagnostic.suggestion {
            out += "\n  " + paint("help:", .cyan) + " \(suggestion)"
        }
        return out
    }

    public func format(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(format).joined(separator: "\n")
    }

    /// One line such as `2 errors, 1 warning`.
    public static func summary(_ diagnostics: [Diagnostic]) -> String {
        let e = diagnostics.errors.count, w = diagnostics.warnings.count
        return "\(e) error\(e == 1 ? "" : "s"), \(w) warning\(w == 1 ? "" : "s")"
    }

    enum Style: String { case red = "31", yellow = "33", green = "32", cyan = "36", bold = "1" }

    func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        var out = ""
        for ch in unicodeScalars { if ch == "\t" { out += "    " } else { out.unicodeScalars.append(ch) } }
        return out
    }
}
