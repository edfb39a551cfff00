/// Token counts reported by the backend (`usage`).
public struct TokenUsage: Sendable, Hashable {
    public var prompt: Int
    public var completion: Int
    public var total: Int

    /// `total` defaults to `prompt + completion`.
    public init(prompt: Int, completion: Int, total: Int? = nil) {
        self.prompt = prompt
        self.completion = completion
        self.total = total ?? (prompt + completion)
    }
}
