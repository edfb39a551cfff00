import QuireCore

/// Answers chat requests from recorded exchanges, by the SHA-256 of the canonical request: no network,
/// no key, the same answer every time. A request nobody recorded fails with `provider.replay-miss`
/// (not retried) and is noted in ``misses`` so the caller can show how it differs from the recorded ones.
public struct ReplayClient: ModelClient {
    public let provider: String
    public let exchanges: [String: RecordedExchange]
    public let misses: ExchangeLog

    /// - Parameter exchanges: recorded exchanges by ``RecordedExchange/requestSHA256``.
    public init(provider: String, exchanges: [String: RecordedExchange], misses: ExchangeLog = ExchangeLog()) {
        self.provider = provider
        self.exchanges = exchanges
        self.misses = misses
    }

    public func complete(_ request: ChatRequest, stream: Bool, onDelta: (@Sendable (String) -> Void)?) async throws(ProviderError) -> ChatCompletion {
        if Task.isCancelled {
            throw ProviderError(.cancelled, provider: provider, message: "the request to provider '\(provider)' was cancelled", attempts: 0)
        }
        let hash = request.hash
        guard let exchange = exchanges[hash] else {
            misses.record(request, completion: nil)
            throw ProviderError(
                .replayMiss, provider: provider,
                message: "no recording matches this request (sha256 \(hash.prefix(12))): the rendered request changed since it was recorded",
                attempts: 0)
        }
        let response = exchange.response
        if stream, let onDelta, !response.content.isEmpty { onDelta(response.content) }
        return ChatCompletion(
            content: response.content, finishReason: response.finishReason.map(FinishReason.init(rawValue:)),
            usage: response.usage.map { TokenUsage(prompt: $0.promptTokens, completion: $0.completionTokens, total: $0.totalTokens) },
            model: response.model, responseID: nil, attempts: 1, latency: .zero)
    }

    /// The models that answered the recorded exchanges.
    public func listModels() async throws(ProviderError) -> [String] {
        Array(Set(exchanges.values.map(\.response.model))).sorted()
    }
}
