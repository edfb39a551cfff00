/// A YAML node that remembers where it came from, so every value in a workflow, prompt front matter
/// or config file can be reported as `file:line:col`.
public struct YAMLNode: Sendable, Hashable {
    public enum ScalarTag: Sendable, Hashable {
        case null, bool, int, float, string
    }

    public enum Kind: Sendable, Hashable {
        case scalar(String, ScalarTag)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// A short name of the node's type for messages: `string`, `integer`, `number`, `boolean`, `null`, `list`, `mapping`.
    public var typeName: String {
        switch kind {
        case .scalar(_, let tag):
            switch tag {
            case .null: "null"
            case .bool: "boolean"
            case .int: "integer"
            case .float: "number"
            case .string: "string"
            }
        case .sequence: "list"
        case .mapping: "mapping"
        }
    }

    public var isNull: Bool {
        if case .scalar(_, .null) = kind { return true }
        return false
    }

    /// The scalar text, whatever its resolved type.
    public var scalarText: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// The string value of a scalar resolved as a string.
    public var string: String? {
        if case .scalar(let text, .string) = kind { return text }
        return nil
    }

    public var int: Int? {
        guard case .scalar(let text, .int) = kind else { return nil }
        return YAMLNode.parseInt(text)
    }

    /// A number: integers are accepted where numbers are expected.
    public var double: Double? {
        guard case .scalar(let text, let tag) = kind else { return nil }
        switch tag {
        case .int: return YAMLNode.parseInt(text).map(Double.init)
        case .float: return YAMLNode.parseFloat(text)
        default: return nil
        }
    }

    public var bool: Bool? {
        guard case .scalar(let text, .bool) = kind else { return nil }
        return ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"].contains(text)
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// Looks up a mapping value by string key.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalarText == key }?.value
    }

    /// Converts the node to a plain ``Value``.
    public var value: Value {
        switch kind {
        case .scalar(let text, let tag):
            switch tag {
            case .null: return .null
            case .bool: return .bool(bool ?? false)
            case .int: return YAMLNode.parseInt(text).map(Value.int) ?? .string(text)
            case .float: return YAMLNode.parseFloat(text).map(Value.double) ?? .string(text)
            case .string: return .string(text)
            }
        case .sequence(let items): return .list(items.map(\.value))
        case .mapping(let pairs):
            var object: [String: Value] = [:]
            for pair in pairs { object[pair.key.scalarText ?? ""] = pair.value.value }
            return .object(object)
        }
    }

    static func parseInt(_ text: String) -> Int? {
        var t = text.replacingOccurrences(of: "_", with: "")
        var sign = 1
        if t.hasPrefix("-") { sign = -1; t.removeFirst() } else if t.hasPrefix("+") { t.removeFirst() }
        if t.hasPrefix("0x") { return Int(t.dropFirst(2), radix: 16).map { $0 * sign } }
        if t.hasPrefix("0o") { return Int(t.dropFirst(2), radix: 8).map { $0 * sign } }
        return Int(t).map { $0 * sign }
    }

    static func parseFloat(_ text: String) -> Double? {
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: return Double(text.replacingOccurrences(of: "_", with: ""))
        }
    }
}

public struct YAMLPair: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
