import Foundation
import QuireCore
import QuireProviders

/// Creates one client per provider on first use, with that provider's rate limits, and shuts them all down.
public actor ClientPool {
    public typealias Factory = @Sendable (ProviderConfiguration, RateLimiter?) -> any ModelClient

    private enum Maker {
        case configured(Factory)
        case unconfigured(@Sendable (ProviderConfig) -> any ModelClient)
    }

    private let resolver: ProviderResolver
    private let maker: Maker
    private var clients: [String: any ModelClient] = [:]
    private var shutdowns: [@Sendable () async -> Void] = []
    private var abandons: [@Sendable () -> Void] = []

    /// - Parameter factory: makes a client from a configuration; tests and record/replay substitute theirs.
    public init(resolver: ProviderResolver, factory: Factory? = nil) {
        self.resolver = resolver
        self.maker = .configured(factory ?? { configuration, limiter in
            OpenAIClient(configuration: configuration, rateLimiter: limiter)
        })
    }

    /// A pool whose clients need no endpoint, key or local server, such as ``ReplayClient``:
    /// `make` is called once per provider with its row, and no configuration is resolved.
    public init(resolver: ProviderResolver, unconfigured make: @escaping @Sendable (ProviderConfig) -> any ModelClient) {
        self.resolver = resolver
        self.maker = .unconfigured(make)
    }

    public func client(for provider: ProviderConfig) throws(DiagnosticError) -> any ModelClient {
        if let client = clients[provider.name] { return client }
        let factory: Factory
        switch maker {
        case .unconfigured(let make): return keep(make(provider), for: provider)
        case .configured(let configured): factory = configured
        }
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
        return keep(factory(configuration, limiter), for: provider)
    }

    private func keep(_ client: any ModelClient, for provider: ProviderConfig) -> any ModelClient {
        clients[provider.name] = client
        // HTTP clients, also behind a recorder, hold connections until shut down.
        if let openAI = (client as? OpenAIClient) ?? ((client as? RecordingClient)?.base as? OpenAIClient) {
            shutdowns.append { await openAI.shutdown() }
            abandons.append { openAI.abandonForExit() }
        }
        return client
    }

    public func shutdown() async {
        for shutdown in shutdowns { await shutdown() }
        shutdowns = []
        abandons = []
        clients = [:]
    }

    /// For a command about to exit: lets go of the clients and leaves their connections for the
    /// operating system to close at the exit (see ``OpenAIClient/abandonForExit()``).
    public func abandonForExit() {
        for abandon in abandons { abandon() }
        shutdowns = []
        abandons = []
        clients = [:]
    }
}
