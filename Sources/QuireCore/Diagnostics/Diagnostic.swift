/// One problem found in a workspace, a command line or a run.
///
/// Every diagnostic carries a stable identifier (for example `template.undefined-variable`) that
/// scripts and docs can rely on, a human message, and where possible the file position it belongs to.
public struct Diagnostic: Sendable, Hashable, Codable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        case error
        case warning
        case note

        private var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .note: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var severity: Severity
    /// Stable, dotted identifier such as `workflow.unknown-key`.
    public var id: String
    public var message: String
    public var location: SourceLocation?
    /// Extra lines printed under the diagnostic.
    public var notes: [String]
    /// A fix the user can apply, e.g. "did you mean 'temperature'?".
    public var suggestion: String?

    public init(
        _ severity: Severity,
        id: String,
        _ message: String,
        at location: SourceLocation? = nil,
        notes: [String] = [],
        suggestion: String? = nil
    ) {
        self.severity = severity
        self.id = id
        self.message = Self.visible(message)
        self.location = location
        self.notes = notes
        self.suggestion = suggestion.map(Self.visible)
    }

    /// Control characters from the input (a NUL or an escape in a name) shown as `\u{1B}`, so a
    /// message can neither drive the terminal nor break the one-line `path:line:col:` form.
    static func visible(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var shown = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                shown.append(scalar)
            }
        }
        return String(shown)
    }

    public static func error(
        _ id: String, _ message: String, at location: SourceLocation? = nil,
        notes: [String] = [], suggestion: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, id: id, message, at: location, notes: notes, suggestion: suggestion)
    }

    public static func warning(
        _ id: String, _ message: String, at location: SourceLocation? = nil,
        notes: [String] = [], suggestion: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, id: id, message, at: location, notes: notes, suggestion: suggestion)
    }

    public var isError: Bool { severity == .error }

    /// `path:line:col: error: message [id]` — the one-line form, without source excerpt.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): \(message)"
        if let suggestion { text += "; \(suggestion)" }
        text += " [\(id)]"
        return text
    }
}

/// Thrown when an operation fails with one or more diagnostics.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(_ diagnostic: Diagnostic) { self.diagnostics = [diagnostic] }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.isError } }
    public var errors: [Diagnostic] { filter(\.isError) }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }

    /// Stable order for printing: by file, line, column, then severity, id and message.
    public func sortedForDisplay() -> [Diagnostic] {
        sorted { a, b in
            let fa = a.location?.file ?? "", fb = b.location?.file ?? ""
            if fa != fb { return fa < fb }
            let la = a.location?.line ?? 0, lb = b.location?.line ?? 0
            if la != lb { return la < lb }
            let ca = a.location?.column ?? 0, cb = b.location?.column ?? 0
            if ca != cb { return ca < cb }
            if a.severity != b.severity { return a.severity < b.severity }
            if a.id != b.id { return a.id < b.id }
            return a.message < b.message
        }
    }
}
