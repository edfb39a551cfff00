import Foundation
import QuireCore
import QuireProviders

/// Turns provider rows (`quire.yaml` and the built-in ones) plus the environment into client
/// configurations. The environment is passed in: the process environment overlaid on the
/// workspace's `.env`.
public struct ProviderResolver: Sendable {
    public let config: QuireConfig
    public let environment: [String: String]

    public init(config: QuireConfig, environment: [String: String]) {
        self.config = config
        self.environment = environment
    }

    /// The provider used when nothing names one: `quire.yaml`'s `provider:`, else `openai` when
    /// `OPENAI_API_KEY` is set, else `local`.
    public var defaultProviderName: String {
        if let name = config.defaultProvider { return name }
        if let key = environment["OPENAI_API_KEY"], !key.isEmpty { return "openai" }
        return "local"
    }

    public func provider(named name: String) -> ProviderConfig? {
        guard var provider = config.provider(named: name) else { return nil }
        if name == "openai", config.providers["openai"]?.baseURL == nil || config.providers["openai"] == nil,
           let base = environment["OPENAI_BASE_URL"], !base.isEmpty {
            provider.baseURL = base
        }
        return provider
    }

    /// The client configuration for a provider, or a diagnostic that says what is missing.
    public func configuration(for provider: ProviderConfig, retry: RetryPolicy? = nil) -> Result<ProviderConfiguration, Diagnostic> {
        guard let baseURL = provider.baseURL else {
            return .failure(.error(
                "provider.local-unavailable",
                "provider '\(provider.name)' is the local model, which this build cannot start yet",
                suggestion: "set OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server), or name a provider with a base_url in quire.yaml"))
        }
        let keyVariable = provider.apiKeyEnv ?? (provider.name == "openai" ? "OPENAI_API_KEY" : "")
        let key = keyVariable.isEmpty ? nil : environment[keyVariable].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil, !keyVariable.isEmpty, baseURL.hasPrefix("https://api.openai.com") {
            return .failure(.error(
                "provider.missing-key", "provider '\(provider.name)' needs an API key: set \(keyVariable) in the environment or in the workspace's .env file"))
        }
        var policy = retry ?? RetryPolicy.default
        if let maxRetries = provider.maxRetries { policy.maxAttempts = maxRetries + 1 }
        var timeouts = ProviderTimeouts()
        if let timeout = provider.timeout {
            timeouts.read = .milliseconds(Int(timeout * 1000))
            timeouts.request = .milliseconds(Int(timeout * 1000))
        }
        return .success(ProviderConfiguration(
            name: provider.name, baseURL: baseURL, apiKey: key, apiKeyVariable: keyVariable.isEmpty ? "\(provider.name.uppercased())_API_KEY" : keyVariable,
            headers: provider.headers, capabilities: provider.capabilities, timeouts: timeouts, retry: policy))
    }

    /// The process environment overlaid on the workspace's `.env` (the environment wins). Only the
    /// workspace root's `.env` is read.
    public static func environment(workspaceRoot: URL, process: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment: [String: String] = [:]
        if let data = try? Data(contentsOf: workspaceRoot.appendingPathComponent(".env")) {
            environment = DotEnv.parse(String(decoding: data, as: UTF8.self))
        }
        environment.merge(process) { _, processValue in processValue }
        return environment
    }
}
