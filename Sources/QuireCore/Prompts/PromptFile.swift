import Foundation

/// One version of a prompt: `prompts/<name>/v<N>.prompt`.
///
/// The file is optional YAML front matter between `---` lines, then a body. The body is a template; lines
/// that are exactly `system:`, `user:` or `assistant:` start a new message, so few-shot examples read
/// naturally. A body without markers is one user message.
public struct PromptFile: Sendable {
    public struct MessageTemplate: Sendable {
        public var role: ChatMessage.Role
        public var template: Template
        /// Where the role marker (or the body, without markers) starts.
        public var location: SourceLocation
    }

    public var name: String
    public var version: Int
    public var path: String
    /// SHA-256 of the file's exact bytes.
    public var sha256: String
    public var description: String?
    public var inputs: [InputDeclaration]
    public var parameters: ModelParameters
    public var messages: [MessageTemplate]
    /// Whether the body used role markers.
    public var hasRoleMarkers: Bool
    public var tags: [String]

    public var reference: PromptReference { PromptReference(name: name, version: version) }
    public var id: String { "\(name)@v\(version)" }

    static let frontMatterKeys = ["description", "inputs", "tags", "author"] + ModelParameters.keys

    /// Every template of the prompt, in order.
    public var templates: [Template] { messages.map(\.template) }

    /// Parses a prompt file. Returns the prompt (when the body could be understood) and all diagnostics.
    public static func parse(text: String, sha256: String, name: String, version: Int, path: String) -> (PromptFile?, [Diagnostic]) {
        var reader = YAMLReader(domain: "prompt")
        let lines = TextLines.split(text)
        var bodyStart = 0
        var description: String?
        var inputs: [InputDeclaration] = []
        var parameters = ModelParameters()
        var tags: [String] = []

        if let first = lines.first, first.trimmingTrailingWhitespace() == "---" {
            guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingTrailingWhitespace() == "---" }) else {
                return (nil, [.error("prompt.unterminated-front-matter", "front matter starts with '---' but has no closing '---' line", at: SourceLocation(file: path, line: 1, column: 1))])
            }
            bodyStart = end + 1
            // Keep line numbers: blank lines stand in for the opening '---'.
            let yaml = "\n" + lines[1..<end].joined(separator: "\n")
            switch YAMLDocument.parse(yaml, file: path) {
            case .failure(let error):
                return (nil, error.diagnostics)
            case .success(let root?):
                if let fields = reader.mapping(root, "front matter", allowed: frontMatterKeys) {
                    for (key, pair) in fields {
                        switch key {
                        case "description": description = reader.string(pair.value, "'description'")
                        case "inputs": inputs = InputDeclaration.readAll(pair.value, reader: &reader, what: "'inputs'")
                        case "tags": tags = reader.stringList(pair.value, "'tags'") ?? []
                        case "author": _ = reader.string(pair.value, "'author'")
                        default: _ = ParameterReader.read(key, pair.value, into: &parameters, reader: &reader)
                        }
                    }
                }
            case .success(nil):
                break
            }
        }

        // Split the body at role markers.
        var sections: [(role: ChatMessage.Role, markerLine: Int, firstLine: Int, lines: [String])] = []
        var preamble: [String] = []
        var hasMarkers = false
        for index in bodyStart..<lines.count {
            let line = lines[index]
            if let role = roleMarker(line) {
                hasMarkers = true
                sections.append((role, index + 1, index + 1, []))
                continue
            }
            if sections.isEmpty { preamble.append(line) } else { sections[sections.count - 1].lines.append(line) }
        }
        var diagnostics = reader.diagnostics
        if !hasMarkers {
            sections = [(.user, bodyStart + 1, bodyStart, preamble)]
        } else if let index = preamble.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            diagnostics.append(.error(
                "prompt.text-before-role", "text before the first role marker; start the body with 'system:' or 'user:'",
                at: SourceLocation(file: path, line: bodyStart + index + 1, column: 1)))
        }

        var messages: [MessageTemplate] = []
        for section in sections {
            // Drop blank lines around the message; keep line numbers right for the template.
            var body = section.lines
            var offset = section.firstLine
            while let first = body.first, first.trimmingCharacters(in: .whitespaces).isEmpty { body.removeFirst(); offset += 1 }
            while let last = body.last, last.trimmingCharacters(in: .whitespaces).isEmpty { body.removeLast() }
            let markerLocation = SourceLocation(file: path, line: section.markerLine, column: 1)
            if body.isEmpty {
                if hasMarkers {
                    diagnostics.append(.error("prompt.empty-message", "the '\(section.role.rawValue):' message is empty", at: markerLocation))
                } else {
                    diagnostics.append(.error("prompt.empty-body", "the prompt has no body", at: SourceLocation(file: path, line: max(1, bodyStart), column: 1)))
                }
                continue
            }
            do {
                let template = try Template.parse(body.joined(separator: "\n"), file: path, lineOffset: offset)
                messages.append(MessageTemplate(role: section.role, template: template, location: markerLocation))
            } catch {
                diagnostics.append(contentsOf: error.diagnostics)
            }
        }
        if diagnostics.hasErrors { return (nil, diagnostics) }
        let prompt = PromptFile(
            name: name, version: version, path: path, sha256: sha256, description: description, inputs: inputs,
            parameters: parameters, messages: messages, hasRoleMarkers: hasMarkers, tags: tags)
        return (prompt, diagnostics)
    }

    /// `system:`, `user:` or `assistant:` alone on a line (trailing spaces allowed).
    static func roleMarker(_ line: String) -> ChatMessage.Role? {
        let trimmed = line.trimmingTrailingWhitespace()
        guard trimmed.hasSuffix(":") else { return nil }
        return ChatMessage.Role(rawValue: String(trimmed.dropLast()))
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
