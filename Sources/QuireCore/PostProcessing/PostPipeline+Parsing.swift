extension PostPipeline {
    /// Diagnostic ids reported by ``parse(_:)``.
    public enum DiagnosticID {
        public static let unknown = "workflow.unknown-post-processor"
        public static let invalid = "workflow.invalid-post-processor"
    }

    /// Builds a pipeline from a step's `post:` value: a list of entries, or one entry. An entry is a
    /// bare name (`trim`) or a mapping with one key, the name, whose value holds the arguments
    /// (`{truncate: 200}`, `{regex: {pattern: "…", group: 1}}`). A null node is an empty pipeline.
    ///
    /// Every problem is reported, each at the most precise node: unknown names
    /// (`workflow.unknown-post-processor`, with a did-you-mean suggestion), bad or missing arguments,
    /// invalid regular expressions and processors that cannot take the previous one's output
    /// (`workflow.invalid-post-processor`), and problems in a `json` schema (`schema.*`, see
    /// ``JSONSchema/validateSchema(_:)``). Invalid entries are left out of the returned pipeline.
    public static func parse(_ node: YAMLNode) -> (PostPipeline, [Diagnostic]) {
        let entries: [YAMLNode]
        switch node.kind {
        case .sequence(let items): entries = items
        case .scalar where node.isNull: entries = []
        default: entries = [node]
        }
        var diagnostics: [Diagnostic] = []
        var processors: [PostProcessor] = []
        var shape: OutputShape? = .text
        for entry in entries {
            var parser = EntryParser()
            guard let processor = parser.parse(entry) else {
                diagnostics += parser.diagnostics
                shape = parser.name.map { PostPipeline.shape(after: $0, from: shape) } ?? nil
                continue
            }
            diagnostics += parser.diagnostics
            switch processor.outputShape(from: shape) {
            case .success(let next):
                shape = next
                processors.append(processor)
            case .failure(let mismatch):
                diagnostics.append(.error(DiagnosticID.invalid, mismatch.message, at: entry.location))
                shape = try? processor.outputShape(from: nil).get()
            }
        }
        return (PostPipeline(processors), diagnostics)
    }

    /// The shape after an entry whose name is known but whose arguments are invalid, so later
    /// entries are still checked; `nil` when it cannot be known.
    static func shape(after name: String, from input: OutputShape?) -> OutputShape? {
        switch name {
        case "trim", "strip_code_fences", "lowercase", "uppercase", "truncate", "replace": input
        case "first_line", "join": .text
        case "bullet_list", "numbered_list", "list", "lines", "split": .list
        default: nil
        }
    }
}

/// Parses one `post:` entry, collecting diagnostics.
private struct EntryParser {
    var diagnostics: [Diagnostic] = []
    /// The processor name, once known to be valid.
    var name: String?

    private mutating func invalid(_ message: String, at node: YAMLNode, suggestion: String? = nil) {
        diagnostics.append(
            .error(PostPipeline.DiagnosticID.invalid, message, at: node.location, suggestion: suggestion))
    }

    mutating func parse(_ entry: YAMLNode) -> PostProcessor? {
        switch entry.kind {
        case .scalar(_, .string):
            return processor(named: entry.string!, at: entry, arguments: nil)
        case .mapping(let pairs):
            guard pairs.count == 1 else {
                let keys = pairs.compactMap(\.key.scalarText).joined(separator: ", ")
                invalid(
                    "a post-processor entry must have exactly one key, the processor's name, but this one has "
                        + "\(pairs.count)\(keys.isEmpty ? "" : ": \(keys)")",
                    at: entry,
                    suggestion: pairs.count > 1
                        ? "put the arguments in a nested mapping, e.g. {regex: {pattern: \"…\", group: 1}}" : nil)
                return nil
            }
            guard let key = pairs[0].key.string else {
                invalid("a post-processor name must be a string, got \(pairs[0].key.typeName)", at: pairs[0].key)
                return nil
            }
            return processor(named: key, at: pairs[0].key, arguments: pairs[0].value.isNull ? nil : pairs[0].value)
        default:
            invalid(
                "a post-processor must be a name or a mapping with one key (e.g. {truncate: 200}), got "
                    + entry.typeName, at: entry)
            return nil
        }
    }

    private mutating func processor(named name: String, at nameNode: YAMLNode, arguments: YAMLNode?) -> PostProcessor? {
        guard PostProcessor.names.contains(name) else {
            let suggestion = Suggestions.didYouMean(name, in: PostProcessor.names)
            diagnostics.append(
                .error(
                    PostPipeline.DiagnosticID.unknown, "unknown post-processor '\(name)'", at: nameNode.location,
                    notes: suggestion == nil
                        ? ["available post-processors: \(PostProcessor.names.joined(separator: ", "))"] : [],
                    suggestion: suggestion))
            return nil
        }
        self.name = name
        let simple: [String: PostProcessor] = [
            "trim": .trim, "strip_code_fences": .stripCodeFences, "lowercase": .lowercase, "uppercase": .uppercase,
            "first_line": .firstLine, "bullet_list": .bulletList, "numbered_list": .numberedList, "list": .list,
            "lines": .lines,
        ]
        if let processor = simple[name] {
            if let arguments {
                invalid("'\(name)' takes no arguments; write it as a bare name", at: arguments)
                return nil
            }
            return processor
        }
        switch name {
        case "truncate":
            guard let arguments, let count = arguments.int, count > 0 else {
                invalid(
                    "'truncate' needs a positive number of characters, e.g. {truncate: 200}"
                        + (arguments.map { ", got \($0.typeName) \(excerpt($0))" } ?? ""),
                    at: arguments ?? nameNode)
                return nil
            }
            return .truncate(count)
        case "split":
            guard let arguments, let separator = arguments.string, !separator.isEmpty else {
                invalid(
                    "'split' needs a non-empty separator string, e.g. {split: \",\"}"
                        + (arguments.map { ", got \($0.typeName) \(excerpt($0))" } ?? ""),
                    at: arguments ?? nameNode)
                return nil
            }
            return .split(separator)
        case "join":
            guard let arguments else { return .join("\n") }
            guard let separator = arguments.string else {
                invalid(
                    "'join' takes a separator string, e.g. {join: \", \"}, "
                        + "got \(arguments.typeName) \(excerpt(arguments))",
                    at: arguments)
                return nil
            }
            return .join(separator)
        case "regex":
            return regex(arguments, at: nameNode)
        case "replace":
            return replace(arguments, at: nameNode)
        case "json":
            return json(arguments)
        default:
            return nil
        }
    }

    /// `{regex: "pattern"}` or `{regex: {pattern: "…", group: 1, all: true}}`.
    private mutating func regex(_ arguments: YAMLNode?, at nameNode: YAMLNode) -> PostProcessor? {
        let usage = "e.g. {regex: \"Title: (.*)\"} or {regex: {pattern: \"…\", group: 1}}"
        guard let arguments else {
            invalid("'regex' needs a pattern, \(usage)", at: nameNode)
            return nil
        }
        if let text = arguments.string {
            guard let pattern = compile(text, at: arguments) else { return nil }
            return .regex(pattern, group: .number(pattern.captureGroupCount > 0 ? 1 : 0), all: false)
        }
        guard arguments.mapping != nil else {
            invalid("'regex' needs a pattern string or a mapping, \(usage); got \(arguments.typeName)", at: arguments)
            return nil
        }
        guard checkKeys(arguments, of: "regex", allowed: ["pattern", "group", "all"]) else { return nil }
        guard let patternNode = arguments["pattern"] else {
            invalid("'regex' needs a 'pattern', \(usage)", at: arguments)
            return nil
        }
        guard let text = patternNode.string else {
            invalid("'pattern' must be a string, got \(patternNode.typeName)", at: patternNode)
            return nil
        }
        guard let pattern = compile(text, at: patternNode) else { return nil }
        var all = false
        if let allNode = arguments["all"] {
            guard let flag = allNode.bool else {
                invalid("'all' must be true or false, got \(allNode.typeName)", at: allNode)
                return nil
            }
            all = flag
        }
        var group = PostProcessor.Group.number(pattern.captureGroupCount > 0 ? 1 : 0)
        if let groupNode = arguments["group"] {
            if let number = groupNode.int {
                guard number >= 0, number <= pattern.captureGroupCount else {
                    let groups = pattern.captureGroupCount
                    invalid(
                        "group \(number) does not exist: the pattern has \(groups) "
                            + "capture group\(groups == 1 ? "" : "s")",
                        at: groupNode)
                    return nil
                }
                group = .number(number)
            } else if let name = groupNode.string {
                guard pattern.groupNames.contains(name) else {
                    let known = pattern.groupNames
                    invalid(
                        "the pattern has no group named '\(name)'"
                            + (known.isEmpty ? "" : " (named groups: \(known.joined(separator: ", ")))"),
                        at: groupNode, suggestion: Suggestions.didYouMean(name, in: known))
                    return nil
                }
                group = .name(name)
            } else {
                invalid("'group' must be a group number or name, got \(groupNode.typeName)", at: groupNode)
                return nil
            }
        }
        return .regex(pattern, group: group, all: all)
    }

    /// `{replace: {pattern: "…", with: "…"}}`; `with` defaults to the empty string.
    private mutating func replace(_ arguments: YAMLNode?, at nameNode: YAMLNode) -> PostProcessor? {
        let usage = "e.g. {replace: {pattern: \"\\\\s+\", with: \" \"}}"
        guard let arguments, arguments.mapping != nil else {
            invalid("'replace' needs a mapping with 'pattern' and 'with', \(usage)", at: arguments ?? nameNode)
            return nil
        }
        guard checkKeys(arguments, of: "replace", allowed: ["pattern", "with"]) else { return nil }
        guard let patternNode = arguments["pattern"] else {
            invalid("'replace' needs a 'pattern', \(usage)", at: arguments)
            return nil
        }
        guard let text = patternNode.string else {
            invalid("'pattern' must be a string, got \(patternNode.typeName)", at: patternNode)
            return nil
        }
        var template = ""
        if let withNode = arguments["with"], !withNode.isNull {
            guard let scalar = withNode.scalarText else {
                invalid("'with' must be a string, got \(withNode.typeName)", at: withNode)
                return nil
            }
            template = scalar
        }
        guard let pattern = compile(text, at: patternNode) else { return nil }
        return .replace(pattern, with: template)
    }

    /// `json`, or `{json: {schema: {…}}}`.
    private mutating func json(_ arguments: YAMLNode?) -> PostProcessor? {
        guard let arguments else { return .json(schema: nil) }
        guard arguments.mapping != nil else {
            invalid(
                "'json' takes a mapping such as {json: {schema: {type: array}}}, got \(arguments.typeName)",
                at: arguments)
            return nil
        }
        guard checkKeys(arguments, of: "json", allowed: ["schema"]) else { return nil }
        guard let schemaNode = arguments["schema"], !schemaNode.isNull else { return .json(schema: nil) }
        let schema = schemaNode.value
        var hasErrors = false
        for issue in JSONSchema.validateSchema(schema) {
            // An unknown keyword is pointed at by its key, a bad value by the value.
            let node = schemaNode.descendant(at: issue.path, key: issue.id != "schema.invalid")
            diagnostics.append(issue.diagnostic(at: node.location))
            hasErrors = hasErrors || issue.severity == .error
        }
        return hasErrors ? nil : .json(schema: JSONSchema(schema))
    }

    private mutating func compile(_ text: String, at node: YAMLNode) -> RegexPattern? {
        do throws(RegexPatternError) {
            return try RegexPattern(text)
        } catch {
            invalid(error.description, at: node)
            return nil
        }
    }

    /// Reports keys outside `allowed`; true when there are none.
    private mutating func checkKeys(_ node: YAMLNode, of name: String, allowed: [String]) -> Bool {
        var ok = true
        for pair in node.mapping ?? [] {
            let key = pair.key.scalarText ?? ""
            guard !allowed.contains(key) else { continue }
            invalid(
                "unknown argument '\(key)' for '\(name)' "
                    + "(expected \(allowed.map { "'\($0)'" }.joined(separator: ", ")))",
                at: pair.key, suggestion: Suggestions.didYouMean(key, in: allowed))
            ok = false
        }
        return ok
    }

    private func excerpt(_ node: YAMLNode) -> String {
        let text = JSONText.encode(node.value, pretty: false)
        return text.count > 40 ? String(text.prefix(37)) + "…" : text
    }
}

extension YAMLNode {
    /// The node at a JSON path below this one, or with `key`, for a path ending in a key, that key.
    /// Falls back to the deepest node found.
    fileprivate func descendant(at path: JSONPath, key pointAtKey: Bool) -> YAMLNode {
        var node = self
        for (index, component) in path.components.enumerated() {
            switch component {
            case .key(let key):
                guard let pair = node.mapping?.first(where: { $0.key.scalarText == key }) else { return node }
                node = pointAtKey && index == path.components.count - 1 ? pair.key : pair.value
            case .index(let i):
                guard let items = node.sequence, i < items.count else { return node }
                node = items[i]
            }
        }
        return node
    }
}
