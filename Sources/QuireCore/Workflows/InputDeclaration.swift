import Foundation

/// A declared input of a workflow or a prompt: `topic: {type: string}`, `count: {type: integer, default: 5}`.
public struct InputDeclaration: Sendable, Hashable {
    public enum InputType: String, Sendable, Hashable, CaseIterable {
        case string, integer, number, boolean, list, object

        /// Accepts the names people write: `int`, `bool`, `array`, `float`…
        public init?(name: String) {
            switch name {
            case "string", "str", "text": self = .string
            case "integer", "int": self = .integer
            case "number", "float", "double": self = .number
            case "boolean", "bool": self = .boolean
            case "list", "array": self = .list
            case "object", "map", "dict": self = .object
            default: return nil
            }
        }

        /// Whether `value` has this type (integers are numbers).
        public func accepts(_ value: Value) -> Bool {
            switch (self, value) {
            case (.string, .string), (.integer, .int), (.number, .int), (.number, .double), (.boolean, .bool),
                (.list, .list), (.object, .object):
                true
            default: false
            }
        }

        /// Converts a command-line text into a value of this type (lists and objects are JSON).
        public func parse(_ text: String) -> Value? {
            switch self {
            case .string: return .string(text)
            case .integer: return Int(text.trimmingCharacters(in: .whitespaces)).map(Value.int)
            case .number: return Double(text.trimmingCharacters(in: .whitespaces)).map(Value.double)
            case .boolean:
                switch text.lowercased() {
                case "true", "yes", "1": return .bool(true)
                case "false", "no", "0": return .bool(false)
                default: return nil
                }
            case .list, .object:
                guard let value = try? JSONText.decode(text), accepts(value) else {
                    if self == .list, !text.hasPrefix("[") {
                        // A comma-free single value or newline-separated items.
                        return .list(TextLines.split(text).map(Value.string))
                    }
                    return nil
                }
                return value
            }
        }
    }

    public var name: String
    public var type: InputType
    public var defaultValue: Value?
    public var description: String?
    public var location: SourceLocation

    public init(name: String, type: InputType, defaultValue: Value? = nil, description: String? = nil, location: SourceLocation) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
        self.location = location
    }

    public var isRequired: Bool { defaultValue == nil }

    static let keys = ["type", "default", "description"]

    /// Reads `inputs:` — a mapping from name to `{type, default, description}`, or to a bare type name.
    static func readAll(_ node: YAMLNode, reader: inout YAMLReader, what: String) -> [InputDeclaration] {
        guard let entries = reader.namedMapping(node, what) else { return [] }
        var result: [InputDeclaration] = []
        for (name, pair) in entries {
            if !Identifier.isValid(name) {
                reader.error("invalid-name", "input name '\(name)' must start with a letter or '_' and contain only letters, digits and '_'", at: pair.key.location)
                continue
            }
            let value = pair.value
            var type = InputType.string
            var defaultValue: Value?
            var description: String?
            if let typeName = value.string {
                guard let t = InputType(name: typeName) else {
                    reader.error("unknown-type", "unknown input type '\(typeName)'", at: value.location, suggestion: Suggestions.didYouMean(typeName, in: InputType.allCases.map(\.rawValue)))
                    continue
                }
                type = t
            } else if value.isNull {
                type = .string
            } else if let fields = reader.mapping(value, "input '\(name)'", allowed: keys) {
                for (key, field) in fields {
                    switch key {
                    case "type":
                        guard let typeName = reader.string(field.value, "'type'") else { continue }
                        if let t = InputType(name: typeName) { type = t } else {
                            reader.error("unknown-type", "unknown input type '\(typeName)'", at: field.value.location, suggestion: Suggestions.didYouMean(typeName, in: InputType.allCases.map(\.rawValue)))
                        }
                    case "default":
                        defaultValue = field.value.value
                    case "description":
                        description = reader.string(field.value, "'description'")
                    default: break
                    }
                }
                if let d = defaultValue, !d.isNull, !type.accepts(d), let node = fields.first(where: { $0.name == "default" })?.pair.value {
                    if type == .string, let text = node.scalarText {
                        defaultValue = .string(text)
                    } else {
                        reader.error("type-mismatch", "default of input '\(name)' must be of type \(type.rawValue), got \(d.typeName)", at: node.location)
                    }
                }
                if defaultValue?.isNull == true { defaultValue = .null }
            } else {
                continue
            }
            result.append(InputDeclaration(name: name, type: type, defaultValue: defaultValue, description: description, location: pair.key.location))
        }
        return result
    }
}

/// Names of inputs, steps and loop variables.
public enum Identifier {
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
