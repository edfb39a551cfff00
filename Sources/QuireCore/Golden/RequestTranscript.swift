/// A chat request as readable text, for diffs between a rendered request and a recorded one:
/// the model and parameters one per line, then each message under a `── role` line.
///
/// ```
/// model: gpt-4o-mini
/// max_tokens: 200
/// temperature: 0.2
/// ── system
/// You plan short technical reports.
/// ── user
/// Plan a report about Structured concurrency in Swift with 4 sections.
/// ```
public enum RequestTranscript {
    /// The transcript of a request in its canonical form (``ChatRequest/canonicalValue``).
    public static func text(_ canonical: Value) -> String {
        let object = canonical.objectValue ?? [:]
        var lines: [String] = []
        lines.append("model: \(object["model"]?.stringValue ?? "(none)")")
        for key in object.keys.sorted() where key != "model" && key != "messages" {
            lines.append("\(key): \(JSONText.encode(object[key]!, pretty: false))")
        }
        for message in object["messages"]?.listValue ?? [] {
            let fields = message.objectValue ?? [:]
            lines.append("── \(fields["role"]?.stringValue ?? "?")")
            let content = fields["content"]?.stringValue ?? ""
            lines.append(content.hasSuffix("\n") ? String(content.dropLast()) : content)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func text(_ request: ChatRequest) -> String { text(request.canonicalValue) }
}
