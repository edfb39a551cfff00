import Foundation
import QuireCore
import QuireProviders

/// Creates one client per provider on first use, with that provider's rate limits, and shuts them all down.
public actor ClientPool {
    public typealias Factory = @Sendable (ProviderConfiguration, RateLimiter?) -> any ModelClient

    private let resolver: ProviderResolver
    private let factory: Factory
    private var clients: [String: any ModelClient] = [:]
    private var shutdowns: [@Sendable () async -> Void] = []

    /// - Parameter factory: makes a client from a configuration; tests and record/replay substitute theirs.
    public init(resolver: ProviderResolver, factory: Factory? = nil) {
        self.resolver = resolver
        self.factory = factory ?? { configuration, limiter in
            OpenAIClient(configuration: configuration, rateLimiter: limiter)
        }
    }

    public func client(for provider: ProviderConfig) throws(DiagnosticError) -> any ModelClient {
        if let client = clients[provider.name] { return client }
        let configuration: ProviderConfiguration
        switch resolver.configuration(for: provider) {
        case .failure(let diagnostic): throw DiagnosticError(diagnostic)
        case .success(let c): configuration = c
        }
        var limiter: RateLimiter?
        // A local server works on one request at a time; queueing here rather than in the server keeps
        // the read timeout for the answer, not for the wait.
        let maxConcurrency = provider.maxConcurrency ?? (resolver.needsLocalServer(provider) ? LocalServerLaunch.defaultParallel : nil)
        if maxConcurrency != nil || provider.requestsPerMinute != nil || provider.tokensPerMinute != nil {
            limiter = RateLimiter(.init(maxConcurrent: maxConcurrency, requestsPerMinute: provider.requestsPerMinute, tokensPerMinute: provider.tokensPerMinute))
        }
        let client = factory(configuration, limiter)
        clients[provider.name] = client
        if let openAI = client as? OpenAIClient { shutdowns.append { await openAI.shutdown() } }
        return client
    }

    public func shutdown() async {
        for shutdown in shutdowns { await shutdown() }
        shutdowns = []
        clients = [:]
    }
}
