/// Reads model parameters (`model`, `temperature`, `max_tokens`, …) from a mapping's pairs and checks their ranges.
enum ParameterReader {
    /// Reads the parameter named `key` into `parameters`; returns false if `key` is not a parameter.
    static func read(_ key: String, _ node: YAMLNode, into parameters: inout ModelParameters, reader: inout YAMLReader) -> Bool {
        func range(_ value: Double, _ low: Double, _ high: Double) -> Double? {
            guard value >= low && value <= high else {
                reader.error("parameter-range", "'\(key)' must be between \(Value.format(low)) and \(Value.format(high)), got \(Value.format(value))", at: node.location)
                return nil
            }
            return value
        }
        switch key {
        case "model":
            parameters.model = reader.string(node, "'model'")
        case "temperature":
            parameters.temperature = reader.double(node, "'temperature'").flatMap { range($0, 0, 2) }
        case "top_p":
            parameters.topP = reader.double(node, "'top_p'").flatMap { range($0, 0, 1) }
        case "presence_penalty":
            parameters.presencePenalty = reader.double(node, "'presence_penalty'").flatMap { range($0, -2, 2) }
        case "frequency_penalty":
            parameters.frequencyPenalty = reader.double(node, "'frequency_penalty'").flatMap { range($0, -2, 2) }
        case "max_tokens":
            if let value = reader.int(node, "'max_tokens'") {
                if value >= 1 { parameters.maxTokens = value } else {
                    reader.error("parameter-range", "'max_tokens' must be at least 1, got \(value)", at: node.location)
                }
            }
        case "seed":
            parameters.seed = reader.int(node, "'seed'")
        case "stop":
            if let stops = reader.stringList(node, "'stop'") {
                if stops.count > 4 {
                    reader.error("parameter-range", "'stop' takes at most 4 sequences, got \(stops.count)", at: node.location)
                } else if stops.contains(where: \.isEmpty) {
                    reader.error("parameter-range", "'stop' sequences must not be empty", at: node.location)
                } else {
                    parameters.stop = stops
                }
            }
        case "response_format":
            parameters.responseFormat = readResponseFormat(node, reader: &reader)
        default:
            return false
        }
        return true
    }

    static let responseFormatKeys = ["type", "schema", "name", "strict"]

    /// `text`, `json_object` (or `json`), or `{schema: {...}, name: …, strict: …}` for a JSON schema.
    static func readResponseFormat(_ node: YAMLNode, reader: inout YAMLReader) -> ResponseFormat? {
        if let text = node.string {
            switch text {
            case "text": return .text
            case "json_object", "json": return .jsonObject
            case "json_schema":
                reader.error("invalid-response-format", "'response_format: json_schema' needs a schema: write `response_format: {schema: {...}}`", at: node.location)
                return nil
            default:
                reader.error("invalid-response-format", "unknown response_format '\(text)'; use text, json_object or {schema: …}", at: node.location, suggestion: Suggestions.didYouMean(text, in: ["text", "json_object", "json_schema"]))
                return nil
            }
        }
        guard let fields = reader.mapping(node, "'response_format'", allowed: responseFormatKeys) else { return nil }
        var type: String?
        var schema: Value?
        var name = "output"
        var strict = true
        for (key, pair) in fields {
            switch key {
            case "type": type = reader.string(pair.value, "'type'")
            case "schema":
                guard pair.value.mapping != nil else {
                    reader.typeMismatch("'schema'", expected: "a mapping (a JSON Schema)", got: pair.value)
                    continue
                }
                schema = pair.value.value
            case "name": name = reader.string(pair.value, "'name'") ?? name
            case "strict": strict = reader.bool(pair.value, "'strict'") ?? strict
            default: break
            }
        }
        switch (type, schema) {
        case (nil, let schema?), ("json_schema", let schema?): return .jsonSchema(name: name, schema: schema, strict: strict)
        case ("json_object", nil), ("json", nil): return .jsonObject
        case ("text", nil): return .text
        case ("json_schema", nil), (nil, nil):
            reader.error("invalid-response-format", "'response_format' needs a 'schema'", at: node.location)
            return nil
        default:
            reader.error("invalid-response-format", "'response_format' type '\(type ?? "")' does not take a schema", at: node.location)
            return nil
        }
    }
}
