import QuireCore

/// One OpenAI-compatible endpoint, as a row of configuration: where it is, how to authenticate,
/// what it accepts, and how patient to be with it.
///
/// Printing a configuration never shows the API key.
public struct ProviderConfiguration: Sendable, Hashable {
    /// The name used in messages (`openai`, `local`, `groq`, …).
    public var name: String
    /// The API root including the version, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`.
    /// `/chat/completions` and `/models` are appended.
    public var baseURL: String
    /// Sent as `Authorization: Bearer <key>` when set.
    public var apiKey: String?
    /// The environment variable the key comes from, named in authentication errors.
    public var apiKeyVariable: String
    /// Extra headers sent with every request (for example `OpenAI-Organization`).
    public var headers: [String: String]
    public var capabilities: ProviderCapabilities
    public var timeouts: ProviderTimeouts
    public var retry: RetryPolicy

    public init(
        name: String = "openai", baseURL: String = ProviderConfiguration.openAIBaseURL, apiKey: String? = nil,
        apiKeyVariable: String = "OPENAI_API_KEY", headers: [String: String] = [:],
        capabilities: ProviderCapabilities = .openAI, timeouts: ProviderTimeouts = ProviderTimeouts(),
        retry: RetryPolicy = .default
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.apiKeyVariable = apiKeyVariable
        self.headers = headers
        self.capabilities = capabilities
        self.timeouts = timeouts
        self.retry = retry
    }

    public static let openAIBaseURL = "https://api.openai.com/v1"

    /// The provider described by `OPENAI_API_KEY` and `OPENAI_BASE_URL` in `environment`
    /// (passed in, so callers decide where the environment comes from). Empty values count as unset.
    public static func fromEnvironment(_ environment: [String: String], name: String = "openai")
        -> ProviderConfiguration
    {
        let key = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? openAIBaseURL
        return ProviderConfiguration(name: name, baseURL: base, apiKey: key)
    }

    /// A copy whose key is read from ``apiKeyVariable`` in `environment` (an empty value counts as unset),
    /// for provider rows in `quire.yaml` that name their key variable.
    public func resolvingAPIKey(from environment: [String: String]) -> ProviderConfiguration {
        var copy = self
        copy.apiKey = environment[apiKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
        return copy
    }

    /// `<baseURL>/chat/completions`.
    public var chatCompletionsURL: String { endpoint("chat/completions") }
    /// `<baseURL>/models`.
    public var modelsURL: String { endpoint("models") }

    private func endpoint(_ path: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + path
    }
}

extension ProviderConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "provider '\(name)' at \(baseURL) (key: \(apiKey == nil ? "none" : "from \(apiKeyVariable), redacted"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "name": name, "baseURL": baseURL, "apiKey": apiKey == nil ? "nil" : SecretScrubber.redacted,
                "apiKeyVariable": apiKeyVariable, "headers": headers.keys.sorted(), "capabilities": capabilities,
                "timeouts": timeouts, "retry": retry,
            ])
    }
}
