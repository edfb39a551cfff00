/// Token counts reported by the backend (`usage`).
public struct TokenUsage: Sendable, Hashable {
    public var prompt: Int
    public var completion: Int
    public var total: Int
    /// Prompt tokens served from the provider's prompt cache (`usage.prompt_tokens_details.cached_tokens`),
    /// 0 when not reported.
    public var cachedPrompt: Int

    /// `total` defaults to `prompt + completion`.
    public init(prompt: Int, completion: Int, total: Int? = nil, cachedPrompt: Int = 0) {
        self.prompt = prompt
        self.completion = completion
        self.total = total ?? (prompt + completion)
        self.cachedPrompt = cachedPrompt
    }
}
