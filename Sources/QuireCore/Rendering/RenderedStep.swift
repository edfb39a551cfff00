/// What one step (or one item of a fan-out) would send or produce: the exact messages and parameters.
public struct RenderedStep: Sendable {
    public var stepId: String
    /// 1-based item number inside a `for_each` step.
    public var item: Int?
    public var callsModel: Bool
    public var prompt: PromptReference
    public var promptPath: String
    public var promptSHA256: String
    public var messages: [ChatMessage]
    public var parameters: ModelParameters
    public var provider: String?

    /// The rendered text of a template step (its single message's content).
    public var text: String { messages.map(\.content).joined(separator: "\n") }

    /// The request a model step sends, when a model is known.
    public var request: ChatRequest? {
        guard callsModel, let model = parameters.model else { return nil }
        var rest = parameters
        rest.model = nil
        return ChatRequest(model: model, messages: messages, parameters: rest)
    }

    /// `plan`, `sections[3]`.
    public var label: String { item.map { "\(stepId)[\($0)]" } ?? stepId }
}
