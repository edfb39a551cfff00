/// Model parameters that a step, a prompt's front matter, workflow defaults or a provider can set.
///
/// Every field is optional: `nil` means "not set here". Resolution layers them with
/// ``merged(over:)``: step > prompt front matter > workflow defaults > provider defaults.
public struct ModelParameters: Sendable, Hashable {
    public var model: String?
    public var temperature: Double?
    public var maxTokens: Int?
    public var topP: Double?
    public var stop: [String]?
    public var seed: Int?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var responseFormat: ResponseFormat?

    public init(
        model: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil, topP: Double? = nil,
        stop: [String]? = nil, seed: Int? = nil, presencePenalty: Double? = nil, frequencyPenalty: Double? = nil,
        responseFormat: ResponseFormat? = nil
    ) {
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.topP = topP
        self.stop = stop
        self.seed = seed
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.responseFormat = responseFormat
    }

    /// The YAML / request-body names of the parameters, in documentation order.
    public static let keys = [
        "model", "temperature", "max_tokens", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty",
        "response_format",
    ]

    /// Fields set in `self` win; unset fields come from `lower`.
    public func merged(over lower: ModelParameters) -> ModelParameters {
        ModelParameters(
            model: model ?? lower.model,
            temperature: temperature ?? lower.temperature,
            maxTokens: maxTokens ?? lower.maxTokens,
            topP: topP ?? lower.topP,
            stop: stop ?? lower.stop,
            seed: seed ?? lower.seed,
            presencePenalty: presencePenalty ?? lower.presencePenalty,
            frequencyPenalty: frequencyPenalty ?? lower.frequencyPenalty,
            responseFormat: responseFormat ?? lower.responseFormat)
    }

    /// The parameters that are set, as request-body keys and values (sorted by key), excluding `model`.
    /// `max_tokens` is named as is; a provider may rename it (see ``ProviderCapabilities``).
    public var bodyFields: [(key: String, value: Value)] {
        var fields: [(String, Value)] = []
        if let temperature { fields.append(("temperature", .double(temperature))) }
        if let maxTokens { fields.append(("max_tokens", .int(maxTokens))) }
        if let topP { fields.append(("top_p", .double(topP))) }
        if let stop { fields.append(("stop", .list(stop.map(Value.string)))) }
        if let seed { fields.append(("seed", .int(seed))) }
        if let presencePenalty { fields.append(("presence_penalty", .double(presencePenalty))) }
        if let frequencyPenalty { fields.append(("frequency_penalty", .double(frequencyPenalty))) }
        if let responseFormat { fields.append(("response_format", responseFormat.value)) }
        return fields.sorted { $0.0 < $1.0 }.map { (key: $0.0, value: $0.1) }
    }
}
