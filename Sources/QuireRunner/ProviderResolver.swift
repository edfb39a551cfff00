import Foundation
import QuireCore
import QuireProviders

/// Turns provider rows (`quire.yaml` and the built-in ones) plus the environment into client
/// configurations. The environment is passed in: the process environment overlaid on the
/// workspace's `.env`.
public struct ProviderResolver: Sendable {
    public let config: QuireConfig
    public let environment: [String: String]
    /// Base URLs of running local servers by provider name, filled in once they are started.
    public var localEndpoints: [String: String]
    /// `--model-path`: the GGUF file for every `kind: local` provider, overriding `model_path`.
    public var localModelPath: String?

    public init(config: QuireConfig, environment: [String: String], localEndpoints: [String: String] = [:], localModelPath: String? = nil) {
        self.config = config
        self.environment = environment
        self.localEndpoints = localEndpoints
        self.localModelPath = localModelPath
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
        if provider.kind == .local {
            if let localModelPath { provider.modelPath = localModelPath }
            // A model file of the user's own is served under its own name, not SmolLM2's.
            if let path = provider.modelPath, provider.defaults.model == nil || provider.defaults.model == ProviderConfig.local.defaults.model {
                provider.defaults.model = LocalModelInstallation.modelName(forFile: path)
            } else if provider.defaults.model == nil {
                provider.defaults.model = ProviderConfig.local.defaults.model
            }
        }
        return provider
    }

    /// Whether Quire has to start a server for this provider (`kind: local` without a `base_url`).
    public func needsLocalServer(_ provider: ProviderConfig) -> Bool {
        provider.kind == .local && provider.baseURL == nil
    }

    /// The client configuration for a provider, or a diagnostic that says what is missing.
    public func configuration(for provider: ProviderConfig, retry: RetryPolicy? = nil) -> Result<ProviderConfiguration, Diagnostic> {
        guard let baseURL = provider.baseURL ?? localEndpoints[provider.name] else {
            return .failure(.error(
                "provider.local-not-started", "provider '\(provider.name)' is a local model whose server has not been started",
                suggestion: "`quire run` and `quire doctor` start it; from the library, start it with LocalServerManager and set ProviderResolver.localEndpoints"))
        }
        let keyVariable = provider.apiKeyEnv ?? (provider.name == "openai" ? "OPENAI_API_KEY" : "")
        let key = keyVariable.isEmpty ? nil : environment[keyVariable].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil, !keyVariable.isEmpty, baseURL.hasPrefix("https://api.openai.com") {
            return .failure(.error(
                "provider.missing-key", "provider '\(provider.name)' needs an API key: set \(keyVariable) in the environment or in the workspace's .env file"))
        }
        var policy = retry ?? RetryPolicy.default
        if let maxRetries = provider.maxRetries { policy.maxAttempts = maxRetries + 1 }
        // Requests to a local server queue in Quire (one at a time); the wait is not the server's fault.
        if provider.kind == .local && retry == nil { policy.deadline = nil }
        var timeouts = ProviderTimeouts()
        if provider.kind == .local {
            // A local model on a busy or slow CPU answers late but surely; a non-streamed answer
            // sends nothing until it is complete.
            timeouts.read = .seconds(300)
            timeouts.request = .seconds(600)
        }
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
