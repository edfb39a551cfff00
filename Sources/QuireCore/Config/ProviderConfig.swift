/// A named OpenAI-compatible endpoint: a row of configuration, not code.
public struct ProviderConfig: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// Any OpenAI-compatible HTTP endpoint.
        case openai
        /// The local llama.cpp server that Quire starts and stops itself.
        case local
    }

    public var name: String
    public var kind: Kind
    /// e.g. `https://api.openai.com/v1`; nil for `local`.
    public var baseURL: String?
    /// The name of the environment variable holding the API key (never the key itself).
    public var apiKeyEnv: String?
    public var headers: [String: String]
    public var defaults: ModelParameters
    public var capabilities: ProviderCapabilities
    public var maxConcurrency: Int?
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    /// Per-request timeout in seconds.
    public var timeout: Double?
    public var maxRetries: Int?
    /// Path to a GGUF model file for `local`.
    public var modelPath: String?
    public var location: SourceLocation?

    public init(
        name: String, kind: Kind = .openai, baseURL: String? = nil, apiKeyEnv: String? = nil, headers: [String: String] = [:],
        defaults: ModelParameters = ModelParameters(), capabilities: ProviderCapabilities = .openAI, maxConcurrency: Int? = nil,
        requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, timeout: Double? = nil, maxRetries: Int? = nil,
        modelPath: String? = nil, location: SourceLocation? = nil
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.headers = headers
        self.defaults = defaults
        self.capabilities = capabilities
        self.maxConcurrency = maxConcurrency
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.modelPath = modelPath
        self.location = location
    }

    /// The built-in `openai` provider: `OPENAI_BASE_URL` (default api.openai.com) and `OPENAI_API_KEY`.
    public static let openAI = ProviderConfig(name: "openai", baseURL: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY")

    /// The built-in `local` provider: llama.cpp's server with SmolLM2-135M-Instruct.
    public static let local = ProviderConfig(
        name: "local", kind: .local, defaults: ModelParameters(model: "smollm2-135m-instruct"),
        capabilities: ProviderCapabilities(outputLimitParameter: "max_tokens"))
}
