import QuireCore

/// A rough token count for rate limiting before the backend reports real usage.
public enum TokenEstimate {
    /// About four characters per token for the messages, four tokens of overhead per message, plus
    /// the output limit (or `defaultCompletion` when none is set).
    public static func estimate(_ request: ChatRequest, defaultCompletion: Int = 256) -> Int {
        promptTokens(request.messages) + (request.parameters.maxTokens ?? defaultCompletion)
    }

    /// The prompt part of ``estimate(_:defaultCompletion:)``.
    public static func promptTokens(_ messages: [ChatMessage]) -> Int {
        messages.reduce(3) { $0 + 4 + ($1.content.utf8.count + 3) / 4 }
    }
}
