extension JSONSchema {
    /// Common names for JSON Schema types that authors write by habit.
    private static let typeAliases: [String: String] = [
        "int": "integer", "float": "number", "double": "number", "decimal": "number", "bool": "boolean",
        "str": "string", "text": "string", "list": "array", "dict": "object", "map": "object", "mapping": "object",
        "none": "null", "nil": "null",
    ]

    static func checkSchema(_ schema: Value, at path: JSONPath, into issues: inout [SchemaIssue]) {
        func error(_ at: JSONPath, _ message: String, suggestion: String? = nil) {
            issues.append(SchemaIssue(.error, id: "schema.invalid", path: at, message: message, suggestion: suggestion))
        }
        let keywords: [String: Value]
        switch schema {
        case .bool:
            return
        case .object(let object):
            keywords = object
        default:
            error(path, "a schema must be an object or a boolean, got \(typeName(of: schema))")
            return
        }
        for key in keywords.keys.sorted() {
            let value = keywords[key]!
            let at = path.appending(key: key)
            switch key {
            case "type":
                checkType(value, at: at, into: &issues)
            case "properties":
                guard let properties = value.objectValue else {
                    error(at, "'properties' must be an object mapping property names to schemas")
                    continue
                }
                for name in properties.keys.sorted() {
                    checkSchema(properties[name]!, at: at.appending(key: name), into: &issues)
                }
            case "required":
                guard let names = value.listValue, names.allSatisfy({ $0.stringValue != nil }) else {
                    error(at, "'required' must be a list of property names")
                    continue
                }
                let declared = keywords["properties"]?.objectValue
                for (i, name) in names.enumerated() {
                    if let declared, keywords["additionalProperties"] == .bool(false),
                        let name = name.stringValue, declared[name] == nil
                    {
                        error(
                            at.appending(index: i),
                            "required property '\(name)' is not in 'properties' and additionalProperties is false",
                            suggestion: Suggestions.didYouMean(name, in: declared.keys))
                    }
                }
            case "additionalProperties", "items", "not":
                if key == "items", value.listValue != nil {
                    error(at, "'items' must be one schema for every item (the list form is not supported)")
                } else {
                    checkSchema(value, at: at, into: &issues)
                }
            case "anyOf", "oneOf", "allOf":
                guard let branches = value.listValue, !branches.isEmpty else {
                    error(at, "'\(key)' must be a non-empty list of schemas")
                    continue
                }
                for (i, branch) in branches.enumerated() {
                    checkSchema(branch, at: at.appending(index: i), into: &issues)
                }
            case "minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties":
                if count(value) == nil { error(at, "'\(key)' must be a non-negative integer, got \(excerpt(value))") }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                if !isNumber(value) {
                    let hint = value.isBoolean ? " (the boolean form is from draft 4; write the limit itself)" : ""
                    error(at, "'\(key)' must be a number, got \(excerpt(value))\(hint)")
                }
            case "multipleOf":
                if (double(value) ?? 0) <= 0 { error(at, "'multipleOf' must be a number greater than 0") }
            case "uniqueItems":
                if !value.isBoolean { error(at, "'uniqueItems' must be true or false") }
            case "enum":
                if value.listValue == nil { error(at, "'enum' must be a list of allowed values") }
            case "pattern":
                guard let pattern = value.stringValue else {
                    error(at, "'pattern' must be a string")
                    continue
                }
                do throws(RegexPatternError) {
                    _ = try RegexPattern(pattern)
                } catch let failure {
                    error(at, failure.description)
                }
            case "const":
                break
            default:
                if annotationKeywords.contains(key) { continue }
                if unsupportedKeywords.contains(key) {
                    issues.append(
                        SchemaIssue(
                            .warning, id: "schema.unsupported-keyword", path: at,
                            message: "keyword '\(key)' is not supported by Quire and is ignored"))
                } else {
                    issues.append(
                        SchemaIssue(
                            .warning, id: "schema.unknown-keyword", path: at,
                            message: "unknown keyword '\(key)' is ignored",
                            suggestion: Suggestions.didYouMean(key, in: supportedKeywords + annotationKeywords)))
                }
            }
        }
    }

    private static func checkType(_ value: Value, at path: JSONPath, into issues: inout [SchemaIssue]) {
        func checkName(_ name: Value, at path: JSONPath) {
            guard let name = name.stringValue else {
                issues.append(
                    SchemaIssue(
                        .error, id: "schema.invalid", path: path,
                        message: "a type must be a string, got \(typeName(of: name))"))
                return
            }
            guard !typeNames.contains(name) else { return }
            let suggestion =
                typeAliases[name.lowercased()].map { "did you mean '\($0)'?" }
                ?? Suggestions.didYouMean(name, in: typeNames)
            issues.append(
                SchemaIssue(
                    .error, id: "schema.invalid", path: path,
                    message: "unknown type '\(name)' (expected one of \(typeNames.joined(separator: ", ")))",
                    suggestion: suggestion))
        }
        if let names = value.listValue {
            if names.isEmpty {
                issues.append(
                    SchemaIssue(.error, id: "schema.invalid", path: path, message: "'type' must not be an empty list"))
            }
            for (i, name) in names.enumerated() { checkName(name, at: path.appending(index: i)) }
        } else {
            checkName(value, at: path)
        }
    }
}

extension Value {
    fileprivate var isBoolean: Bool {
        if case .bool = self { return true }
        return false
    }
}
