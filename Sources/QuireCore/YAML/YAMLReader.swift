/// Reads typed values out of ``YAMLNode``s and collects a located diagnostic for every problem,
/// instead of stopping at the first one.
public struct YAMLReader: Sendable {
    /// The prefix of diagnostic ids: `workflow`, `prompt` or `config`.
    public let domain: String
    public private(set) var diagnostics: [Diagnostic] = []

    public init(domain: String) { self.domain = domain }

    public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    public mutating func error(_ suffix: String, _ message: String, at location: SourceLocation, notes: [String] = [], suggestion: String? = nil) {
        diagnostics.append(.error("\(domain).\(suffix)", message, at: location, notes: notes, suggestion: suggestion))
    }

    public mutating func warning(_ suffix: String, _ message: String, at location: SourceLocation, notes: [String] = [], suggestion: String? = nil) {
        diagnostics.append(.warning("\(domain).\(suffix)", message, at: location, notes: notes, suggestion: suggestion))
    }

    public mutating func typeMismatch(_ what: String, expected: String, got node: YAMLNode) {
        error("type-mismatch", "\(what) must be \(expected), got \(node.typeName)", at: node.location)
    }

    /// Reads a mapping, reporting keys that are not in `allowed` (with a did-you-mean) and non-string keys.
    /// Returns the known pairs keyed by name, in document order.
    public mutating func mapping(_ node: YAMLNode, _ what: String, allowed: [String]) -> [(name: String, pair: YAMLPair)]? {
        guard let pairs = node.mapping else {
            typeMismatch(what, expected: "a mapping", got: node)
            return nil
        }
        var result: [(String, YAMLPair)] = []
        for pair in pairs {
            guard let name = pair.key.string ?? pair.key.scalarText, pair.key.sequence == nil, pair.key.mapping == nil else {
                error("type-mismatch", "keys in \(what) must be strings", at: pair.key.location)
                continue
            }
            if !allowed.contains(name) {
                error(
                    "unknown-key", "unknown key '\(name)' in \(what)", at: pair.key.location,
                    suggestion: Suggestions.didYouMean(name, in: allowed))
                continue
            }
            result.append((name, pair))
        }
        return result
    }

    /// Reads a mapping whose keys are free-form names (inputs, cases, providers).
    public mutating func namedMapping(_ node: YAMLNode, _ what: String) -> [(name: String, pair: YAMLPair)]? {
        guard let pairs = node.mapping else {
            typeMismatch(what, expected: "a mapping", got: node)
            return nil
        }
        var result: [(String, YAMLPair)] = []
        for pair in pairs {
            guard let name = pair.key.scalarText, pair.key.sequence == nil, pair.key.mapping == nil else {
                error("type-mismatch", "keys in \(what) must be strings", at: pair.key.location)
                continue
            }
            result.append((name, pair))
        }
        return result
    }

    public mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        // Numbers and booleans written where text is expected are accepted as their text, except null.
        if let text = node.scalarText, !node.isNull { return text }
        typeMismatch(what, expected: "a string", got: node)
        return nil
    }

    public mutating func int(_ node: YAMLNode, _ what: String) -> Int? {
        if let value = node.int { return value }
        typeMismatch(what, expected: "an integer", got: node)
        return nil
    }

    public mutating func double(_ node: YAMLNode, _ what: String) -> Double? {
        if let value = node.double { return value }
        typeMismatch(what, expected: "a number", got: node)
        return nil
    }

    public mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        if let value = node.bool { return value }
        typeMismatch(what, expected: "true or false", got: node)
        return nil
    }

    /// A list of strings; a single string is accepted as a one-element list.
    public mutating func stringList(_ node: YAMLNode, _ what: String) -> [String]? {
        if let items = node.sequence {
            var result: [String] = []
            for item in items {
                guard let text = string(item, "each entry of \(what)") else { return nil }
                result.append(text)
            }
            return result
        }
        if let text = node.scalarText, !node.isNull { return [text] }
        typeMismatch(what, expected: "a string or a list of strings", got: node)
        return nil
    }
}
