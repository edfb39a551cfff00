/// The tests a template can apply with `value is name` / `value is not name`.
enum TemplatePredicates {
    static let names: [String] = [
        "boolean", "defined", "empty", "even", "integer", "list", "none", "number", "object", "odd", "string",
        "undefined",
    ]

    /// Evaluates every test except `defined` and `undefined`, which the renderer handles because they
    /// must catch undefined values.
    static func evaluate(_ name: String, _ value: Value, at location: SourceLocation) throws(DiagnosticError) -> Bool {
        switch name {
        case "none": return value.isNull
        case "boolean": if case .bool = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "number": return TemplateValues.isNumber(value)
        case "string": return value.stringValue != nil
        case "list": return value.listValue != nil
        case "object": return value.objectValue != nil
        case "empty":
            switch value {
            case .null: return true
            case .string(let s): return s.isEmpty
            case .list(let l): return l.isEmpty
            case .object(let o): return o.isEmpty
            default: throw typeError(name, "a string, list, object or none", value, location)
            }
        case "odd", "even":
            guard case .int(let i) = value else { throw typeError(name, "an integer", value, location) }
            return (i % 2 != 0) == (name == "odd")
        default:
            throw DiagnosticError(.error(TemplateDiagnostics.unknownTest, "unknown test '\(name)'", at: location))
        }
    }

    private static func typeError(_ name: String, _ expected: String, _ value: Value, _ location: SourceLocation)
        -> DiagnosticError
    {
        DiagnosticError(
            .error(
                TemplateDiagnostics.typeError, "test '\(name)' expects \(expected), got \(value.typeName)", at: location
            ))
    }
}
