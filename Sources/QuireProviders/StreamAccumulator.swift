import QuireCore

/// Folds the chunks of a streamed completion into one answer.
struct StreamAccumulator {
    private(set) var content = ""
    private(set) var finishReason: FinishReason?
    private(set) var usage: TokenUsage?
    private(set) var model: String?
    private(set) var id: String?
    private(set) var done = false
    private(set) var chunks = 0

    /// Whether the stream ended properly: `[DONE]` or at least a finish reason.
    var isComplete: Bool { done || finishReason != nil }

    /// Applies one event's data; returns the text delta it carried, if any.
    mutating func apply(_ data: String) throws(CompletionDecoder.Malformed) -> String? {
        if data == "[DONE]" {
            done = true
            return nil
        }
        let value = try CompletionDecoder.parseJSON(data)
        guard let object = value.objectValue else {
            throw CompletionDecoder.Malformed(reason: "a stream chunk is not a JSON object")
        }
        if object["error"] != nil {
            let message = CompletionDecoder.serverError(in: value)?.message ?? "no message"
            throw CompletionDecoder.Malformed(reason: "the stream carried an error: \(message)")
        }
        chunks += 1
        if let name = object["model"]?.stringValue { model = name }
        if let identifier = object["id"]?.stringValue { id = identifier }
        if let reported = try CompletionDecoder.usage(object["usage"]) { usage = reported }
        guard let choices = object["choices"]?.listValue, let first = choices.first?.objectValue else { return nil }
        if let reason = first["finish_reason"]?.stringValue { finishReason = FinishReason(rawValue: reason) }
        guard case .string(let text) = first["delta"]?.objectValue?["content"], !text.isEmpty else { return nil }
        content += text
        return text
    }
}
