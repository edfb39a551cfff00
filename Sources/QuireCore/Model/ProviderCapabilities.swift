/// What an OpenAI-compatible backend accepts. A provider row in `quire.yaml` declares these, so a
/// parameter the backend would ignore is reported before a run instead of being silently dropped.
public struct ProviderCapabilities: Sendable, Hashable {
    /// The request field that carries the output limit: `max_tokens` or `max_completion_tokens`.
    public var outputLimitParameter: String
    public var jsonSchema: Bool
    public var jsonObject: Bool
    public var seed: Bool
    public var stop: Bool
    public var topP: Bool
    public var penalties: Bool
    public var streaming: Bool
    /// `stream_options: {include_usage: true}` is understood.
    public var streamUsage: Bool

    public init(
        outputLimitParameter: String = "max_tokens", jsonSchema: Bool = true, jsonObject: Bool = true,
        seed: Bool = true, stop: Bool = true, topP: Bool = true, penalties: Bool = true, streaming: Bool = true,
        streamUsage: Bool = true
    ) {
        self.outputLimitParameter = outputLimitParameter
        self.jsonSchema = jsonSchema
        self.jsonObject = jsonObject
        self.seed = seed
        self.stop = stop
        self.topP = topP
        self.penalties = penalties
        self.streaming = streaming
        self.streamUsage = streamUsage
    }

    public static let openAI = ProviderCapabilities()

    /// The parameters of `parameters` that this backend does not accept, by request-body name.
    public func unsupported(_ parameters: ModelParameters) -> [String] {
        var names: [String] = []
        if parameters.seed != nil && !seed { names.append("seed") }
        if parameters.stop != nil && !stop { names.append("stop") }
        if parameters.topP != nil && !topP { names.append("top_p") }
        if parameters.presencePenalty != nil && !penalties { names.append("presence_penalty") }
        if parameters.frequencyPenalty != nil && !penalties { names.append("frequency_penalty") }
        switch parameters.responseFormat {
        case .jsonSchema where !jsonSchema: names.append("response_format.json_schema")
        case .jsonObject where !jsonObject: names.append("response_format.json_object")
        default: break
        }
        return names
    }
}
