/// How `quire test` compares a step's output with its golden file: the step's `compare:` key.
///
/// ```yaml
/// compare: exact                                   # the default: byte for byte
/// compare: normalized                              # whitespace, dates and UUIDs do not matter
/// compare: {normalized: {scrub: [{pattern: "#\\d+", with: "#<n>"}]}}
/// compare: json                                    # canonical JSON: key order and layout do not matter
/// compare: {json: {schema: {type: object, required: [rating]}}}
/// compare: {similarity: 0.8}                       # word similarity ratio at least 0.8, for live runs
/// ```
///
/// Every mode compares the text of the output files (`<step>.txt`, or `<step>.json` for lists and JSON).
public enum CompareMode: Sendable, Hashable, CustomStringConvertible {
    case exact
    case normalized(TextNormalizer)
    /// Canonical JSON, with an optional schema the actual output must satisfy.
    case json(schema: JSONSchema?)
    /// ``TextSimilarity/words(_:_:costLimit:)`` of golden and actual must be at least the threshold (0 < t ≤ 1).
    case similarity(Double)

    /// The names a `compare:` value may use, in documentation order.
    public static let names = ["exact", "normalized", "json", "similarity"]

    public static let diagnosticID = "workflow.invalid-compare"

    /// `exact`, `normalized`, `normalized(scrub: 2)`, `json`, `json(schema)`, `similarity(0.8)`.
    public var description: String {
        switch self {
        case .exact: "exact"
        case .normalized(let normalizer):
            normalizer.scrubbers.isEmpty ? "normalized" : "normalized(scrub: \(normalizer.scrubbers.count))"
        case .json(let schema): schema == nil ? "json" : "json(schema)"
        case .similarity(let threshold): "similarity(\(Value.format(threshold)))"
        }
    }

    /// The stable JSON form recorded in golden metadata.
    public var value: Value {
        switch self {
        case .exact: "exact"
        case .normalized(let normalizer):
            normalizer.scrubbers.isEmpty
                ? "normalized"
                : [
                    "normalized": [
                        "scrub": .list(normalizer.scrubbers.map { ["pattern": .string($0.pattern.pattern), "with": .string($0.replacement)] })
                    ]
                ]
        case .json(let schema): schema.map { ["json": ["schema": $0.schema]] } ?? "json"
        case .similarity(let threshold): ["similarity": .double(threshold)]
        }
    }

    /// Reads a step's `compare:` value; nil (with diagnostics) when it is invalid.
    public static func parse(_ node: YAMLNode) -> (CompareMode?, [Diagnostic]) {
        var problems: [Diagnostic] = []
        func invalid(_ message: String, at node: YAMLNode, suggestion: String? = nil) -> (CompareMode?, [Diagnostic]) {
            problems.append(.error(diagnosticID, message, at: node.location, suggestion: suggestion))
            return (nil, problems)
        }
        let usage = "one of exact, normalized, json, {similarity: 0.8}"
        let name: String
        let arguments: YAMLNode?
        let nameNode: YAMLNode
        switch node.kind {
        case .scalar(let text, .string):
            name = text
            arguments = nil
            nameNode = node
        case .mapping(let pairs):
            guard pairs.count == 1, let key = pairs[0].key.string else {
                return invalid("'compare' must be a name or a mapping with one key, the name (e.g. {similarity: 0.8}); this one has \(pairs.count) keys", at: node)
            }
            name = key
            arguments = pairs[0].value.isNull ? nil : pairs[0].value
            nameNode = pairs[0].key
        default:
            return invalid("'compare' must be \(usage), got \(node.typeName)", at: node)
        }
        switch name {
        case "exact":
            if let arguments { return invalid("'exact' takes no arguments; write `compare: exact`", at: arguments) }
            return (.exact, problems)
        case "normalized":
            guard let arguments else { return (.normalized(TextNormalizer()), problems) }
            guard let fields = arguments.mapping else {
                return invalid("'normalized' takes a mapping such as {scrub: [{pattern: \"#\\\\d+\", with: \"#<n>\"}]}, got \(arguments.typeName)", at: arguments)
            }
            var scrubbers: [TextNormalizer.Scrubber] = []
            for field in fields {
                guard field.key.scalarText == "scrub" else {
                    let key = field.key.scalarText ?? ""
                    return invalid("unknown argument '\(key)' for 'normalized' (expected 'scrub')", at: field.key, suggestion: Suggestions.didYouMean(key, in: ["scrub"]))
                }
                let entries = field.value.sequence ?? [field.value]
                for entry in entries {
                    guard entry.mapping != nil, let patternNode = entry["pattern"] else {
                        return invalid("each 'scrub' entry is a mapping {pattern: \"…\", with: \"…\"}, got \(entry.typeName)", at: entry)
                    }
                    for pair in entry.mapping ?? [] where !["pattern", "with"].contains(pair.key.scalarText ?? "") {
                        let key = pair.key.scalarText ?? ""
                        return invalid("unknown argument '\(key)' in a 'scrub' entry (expected 'pattern', 'with')", at: pair.key, suggestion: Suggestions.didYouMean(key, in: ["pattern", "with"]))
                    }
                    guard let text = patternNode.string, !text.isEmpty else {
                        return invalid("'pattern' must be a non-empty string, got \(patternNode.typeName)", at: patternNode)
                    }
                    let pattern: RegexPattern
                    do { pattern = try RegexPattern(text) } catch { return invalid(error.description, at: patternNode) }
                    var replacement = "<scrubbed>"
                    if let with = entry["with"] {
                        guard let text = with.scalarText, !with.isNull, with.sequence == nil, with.mapping == nil else {
                            return invalid("'with' must be a string, got \(with.typeName)", at: with)
                        }
                        replacement = text
                    }
                    scrubbers.append(TextNormalizer.Scrubber(pattern: pattern, replacement: replacement))
                }
            }
            return (.normalized(TextNormalizer(scrubbers: scrubbers)), problems)
        case "json":
            guard let arguments else { return (.json(schema: nil), problems) }
            guard let fields = arguments.mapping else {
                return invalid("'json' takes a mapping such as {schema: {type: object}}, got \(arguments.typeName)", at: arguments)
            }
            var schema: JSONSchema?
            for field in fields {
                guard field.key.scalarText == "schema" else {
                    let key = field.key.scalarText ?? ""
                    return invalid("unknown argument '\(key)' for 'json' (expected 'schema')", at: field.key, suggestion: Suggestions.didYouMean(key, in: ["schema"]))
                }
                let issues = JSONSchema.validateSchema(field.value.value)
                problems += issues.map { $0.diagnostic(at: field.value.location) }
                if issues.contains(where: { $0.severity == .error }) { return (nil, problems) }
                schema = JSONSchema(field.value.value)
            }
            return (.json(schema: schema), problems)
        case "similarity":
            guard let arguments else {
                return invalid("'similarity' needs a threshold between 0 and 1, e.g. {similarity: 0.8}", at: nameNode)
            }
            guard let threshold = arguments.double, threshold > 0, threshold <= 1 else {
                return invalid("'similarity' needs a threshold greater than 0 and at most 1, e.g. {similarity: 0.8}, got \(arguments.scalarText ?? arguments.typeName)", at: arguments)
            }
            return (.similarity(threshold), problems)
        default:
            let suggestion = Suggestions.didYouMean(name, in: names)
            return invalid("unknown comparison '\(name)'; expected \(usage)", at: nameNode, suggestion: suggestion)
        }
    }
}
