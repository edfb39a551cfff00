import QuireCore

/// Reads Chat Completions answers: a whole completion, a streamed chunk, an error body, a model list.
enum CompletionDecoder {
    /// A problem with the shape of an answer; becomes ``ProviderError/Kind/malformedResponse``.
    struct Malformed: Error {
        var reason: String
    }

    struct Completion: Sendable {
        var content: String
        var finishReason: FinishReason?
        var usage: TokenUsage?
        var model: String?
        var id: String?
    }

    /// The server's error object (`{"error": {"message", "type", "code"}}`), when the body has one.
    struct ServerError {
        var message: String?
        var type: String?
        var code: String?
    }

    static func parseJSON(_ text: String) throws(Malformed) -> Value {
        do {
            return try JSONText.decode(text)
        } catch {
            throw Malformed(reason: "invalid JSON at \(error.line):\(error.column): \(error.message)")
        }
    }

    static func completion(from text: String) throws(Malformed) -> Completion {
        let value = try parseJSON(text)
        guard let object = value.objectValue else { throw Malformed(reason: "the answer is not a JSON object") }
        if object["error"] != nil, object["choices"] == nil {
            throw Malformed(reason: "the answer is an error object: \(serverError(in: value)?.message ?? "no message")")
        }
        guard let choices = object["choices"]?.listValue else { throw Malformed(reason: "the answer has no 'choices'") }
        guard let first = choices.first?.objectValue else { throw Malformed(reason: "'choices' is empty") }
        guard let message = first["message"]?.objectValue else { throw Malformed(reason: "choice 0 has no 'message'") }
        let content: String
        switch message["content"] {
        case .string(let text): content = text
        case .null, nil: content = ""
        default: throw Malformed(reason: "'message.content' is not a string")
        }
        return Completion(
            content: content,
            finishReason: first["finish_reason"]?.stringValue.map(FinishReason.init(rawValue:)),
            usage: try usage(object["usage"]),
            model: object["model"]?.stringValue,
            id: object["id"]?.stringValue)
    }

    static func usage(_ value: Value?) throws(Malformed) -> TokenUsage? {
        guard let value, !value.isNull else { return nil }
        guard let object = value.objectValue else { throw Malformed(reason: "'usage' is not an object") }
        func int(_ key: String) -> Int? {
            switch object[key] {
            case .int(let i): i
            case .double(let d) where d.isFinite && d >= 0 && d < 1e15: Int(d)
            default: nil
            }
        }
        guard let prompt = int("prompt_tokens"), let completion = int("completion_tokens") else {
            throw Malformed(reason: "'usage' lacks prompt_tokens or completion_tokens")
        }
        var cached = 0
        if case .int(let n) = object["prompt_tokens_details"]?.objectValue?["cached_tokens"], n >= 0 { cached = min(n, prompt) }
        return TokenUsage(prompt: prompt, completion: completion, total: int("total_tokens"), cachedPrompt: cached)
    }

    static func serverError(in value: Value) -> ServerError? {
        guard let error = value.objectValue?["error"] else { return nil }
        if let text = error.stringValue { return ServerError(message: text) }
        guard let object = error.objectValue else { return nil }
        let code: String? =
            switch object["code"] {
            case .string(let s): s
            case .int(let i): String(i)
            default: nil
            }
        return ServerError(message: object["message"]?.stringValue, type: object["type"]?.stringValue, code: code)
    }

    static func serverError(inBody text: String) -> ServerError? {
        guard let value = try? JSONText.decode(text) else { return nil }
        return serverError(in: value)
    }

    static func modelIDs(from text: String) throws(Malformed) -> [String] {
        let value = try parseJSON(text)
        guard let data = value.objectValue?["data"]?.listValue else {
            throw Malformed(reason: "the model list has no 'data' array")
        }
        return data.compactMap { $0.objectValue?["id"]?.stringValue }.sorted()
    }
}
