/// The answer to one chat completion, with what it cost and how it went.
public struct ChatCompletion: Sendable, Hashable {
    /// The assistant's text (for a streamed answer, the concatenated deltas).
    public var content: String
    /// Why generation stopped, when the backend said so.
    public var finishReason: FinishReason?
    /// Token counts, when the backend reported them (streaming needs `stream_options.include_usage`).
    public var usage: TokenUsage?
    /// The model that answered, as the backend named it (it may differ from the requested alias).
    public var model: String
    /// The backend's response id (`chatcmpl-…`), when given.
    public var responseID: String?
    /// How many HTTP attempts were made, 1 when the first one succeeded.
    public var attempts: Int
    /// Wall time from the first attempt to the answer, including back-off waits, measured on the client's clock.
    public var latency: Duration
    /// Answered from the response cache (see `CachingClient`): nothing was sent, ``usage`` is the original call's.
    public var cacheHit = false

    /// Attempts beyond the first.
    public var retries: Int { max(0, attempts - 1) }

    public init(
        content: String, finishReason: FinishReason?, usage: TokenUsage?, model: String, responseID: String?,
        attempts: Int, latency: Duration
    ) {
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
        self.model = model
        self.responseID = responseID
        self.attempts = attempts
        self.latency = latency
    }
}
