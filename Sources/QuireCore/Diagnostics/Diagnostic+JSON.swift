extension Diagnostic {
    /// The JSON form used by `--json` outputs.
    public var jsonValue: Value {
        var object: [String: Value] = [
            "severity": .string(severity.rawValue),
            "id": .string(id),
            "message": .string(message),
        ]
        if let location {
            object["file"] = .string(location.file)
            object["line"] = .int(location.line)
            object["column"] = .int(location.column)
        }
        if !notes.isEmpty { object["notes"] = .list(notes.map(Value.string)) }
        if let suggestion { object["suggestion"] = .string(suggestion) }
        return .object(object)
    }
}
