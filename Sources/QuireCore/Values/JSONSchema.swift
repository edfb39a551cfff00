/// Validation of a ``Value`` against a JSON Schema subset, reporting every violation with its path.
///
/// Supported keywords: `type` (`string`, `integer`, `number`, `boolean`, `array`, `object`, `null`,
/// or a list of them), `properties`, `required`, `additionalProperties` (boolean or schema),
/// `minProperties`, `maxProperties`, `items` (one schema for every item), `minItems`, `maxItems`,
/// `uniqueItems`, `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`
/// (numbers, as in draft 6 and later), `multipleOf`, `minLength`, `maxLength` (in Unicode scalars),
/// `pattern` (unanchored, ICU syntax; see ``RegexPattern``), `anyOf`, `oneOf`, `allOf`, `not`, and the
/// boolean schemas `true` and `false`. Annotations (`title`, `description`, `default`, `examples`,
/// `$schema`, `$id`, `$comment`, …) are accepted and ignored.
///
/// Anything else is ignored by ``validate(_:)``; ``validateSchema(_:)`` reports it so an author
/// learns about a typo (`require`) or an unsupported keyword (`$ref`, `format`) before a run.
/// Numbers compare by value: `1` and `1.0` are equal, and `1.0` is an integer.
public struct JSONSchema: Sendable, Hashable {
    public var schema: Value

    public init(_ schema: Value) { self.schema = schema }

    /// Keywords that constrain values.
    public static let supportedKeywords: [String] = [
        "type", "properties", "required", "additionalProperties", "minProperties", "maxProperties",
        "items", "minItems", "maxItems", "uniqueItems", "enum", "const", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern",
        "anyOf", "oneOf", "allOf", "not",
    ]

    /// Keywords that only describe and are accepted silently.
    public static let annotationKeywords: [String] = [
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly", "writeOnly",
        "deprecated",
    ]

    /// Standard JSON Schema keywords that Quire does not check; a schema using them gets a warning.
    public static let unsupportedKeywords: [String] = [
        "$ref", "$defs", "definitions", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
        "$recursiveAnchor", "$vocabulary", "format", "patternProperties", "propertyNames", "dependencies",
        "dependentRequired", "dependentSchemas", "if", "then", "else", "contains", "minContains", "maxContains",
        "prefixItems", "additionalItems", "unevaluatedItems", "unevaluatedProperties", "contentEncoding",
        "contentMediaType", "contentSchema",
    ]

    /// The JSON type names `type` accepts.
    public static let typeNames: [String] = ["string", "integer", "number", "boolean", "array", "object", "null"]

    /// The top-level `type` when it is a single type name, e.g. `"array"`.
    public var topLevelType: String? {
        schema.objectValue?["type"]?.stringValue
    }

    /// Every violation of the schema by `instance`, in a stable order (document order for arrays,
    /// sorted keys for objects). Empty when the value is valid.
    public func validate(_ instance: Value) -> [SchemaViolation] {
        var validator = Validator()
        validator.check(instance, against: schema, at: .root)
        return validator.violations
    }

    /// Validates `instance` against `schema`.
    public static func validate(_ instance: Value, against schema: Value) -> [SchemaViolation] {
        JSONSchema(schema).validate(instance)
    }

    /// Problems in the schema itself: errors for malformed keywords (`minimum: "3"`, an unknown type
    /// name, a pattern that does not compile), warnings for unknown or unsupported keywords.
    public static func validateSchema(_ schema: Value) -> [SchemaIssue] {
        var issues: [SchemaIssue] = []
        checkSchema(schema, at: .root, into: &issues)
        return issues
    }

    /// The JSON Schema name of a value's type: `array` rather than `list`.
    public static func typeName(of value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .list: "array"
        case .object: "object"
        }
    }
}

/// A value that does not satisfy a schema: `$.items[2].rating: expected integer, got string`.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where in the validated value.
    public var path: JSONPath
    public var message: String

    public init(path: JSONPath, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// A problem in a schema itself, found by ``JSONSchema/validateSchema(_:)``.
public struct SchemaIssue: Sendable, Hashable, CustomStringConvertible {
    public var severity: Diagnostic.Severity
    /// `schema.invalid`, `schema.unknown-keyword` or `schema.unsupported-keyword`.
    public var id: String
    /// Where in the schema, e.g. `$.properties.rating.type`.
    public var path: JSONPath
    public var message: String
    public var suggestion: String?

    public init(
        _ severity: Diagnostic.Severity, id: String, path: JSONPath, message: String, suggestion: String? = nil
    ) {
        self.severity = severity
        self.id = id
        self.path = path
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        "\(path): \(severity.rawValue): \(message)" + (suggestion.map { "; \($0)" } ?? "") + " [\(id)]"
    }

    /// The issue as a diagnostic at `location` (the schema's position in a workspace file).
    public func diagnostic(at location: SourceLocation?) -> Diagnostic {
        Diagnostic(severity, id: id, message, at: location, suggestion: suggestion)
    }
}
