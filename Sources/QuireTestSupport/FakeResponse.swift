/// A scripted answer from a responder installed with ``FakeOpenAIServer/setResponder(_:)``.
public struct FakeResponse: Sendable, Hashable {
    /// The assistant's text.
    public var content: String
    /// The finish reason to report. When nil, the server applies its rules: `length` (and truncation)
    /// when the request's output limit is smaller than the answer, otherwise `stop`.
    public var finishReason: String?
    /// The usage to report. When nil, computed by ``FakeReply`` rules.
    public var usage: FakeUsage?
    /// The model name to report. When nil, the requested model.
    public var model: String?

    public init(_ content: String, finishReason: String? = nil, usage: FakeUsage? = nil, model: String? = nil) {
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
        self.model = model
    }
}

/// Token counts the fake server reports.
public struct FakeUsage: Sendable, Hashable {
    public var prompt: Int
    public var completion: Int
    public var total: Int

    public init(prompt: Int, completion: Int, total: Int? = nil) {
        self.prompt = prompt
        self.completion = completion
        self.total = total ?? prompt + completion
    }
}
