/// The `response_format` of a Chat Completions request.
public enum ResponseFormat: Sendable, Hashable {
    case text
    case jsonObject
    /// A JSON Schema the answer must follow (`{"type": "json_schema", "json_schema": {...}}`).
    case jsonSchema(name: String, schema: Value, strict: Bool)

    /// The request-body form.
    public var value: Value {
        switch self {
        case .text: ["type": "text"]
        case .jsonObject: ["type": "json_object"]
        case .jsonSchema(let name, let schema, let strict):
            ["type": "json_schema", "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)]]
        }
    }
}
