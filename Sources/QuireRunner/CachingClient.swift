import Foundation
import QuireCore
import QuireProviders

/// Wraps a client with the response cache: a deterministic request (temperature 0 or a `seed`) already
/// answered by the same provider is answered from `.quire/cache/` without a call; a new answer is stored.
/// Errors and answers cut at the output limit (`finish_reason: length`) are never stored.
public struct CachingClient: ModelClient {
    public let base: any ModelClient
    public let cache: ResponseCache
    /// ``ResponseCacheKey/identity(baseURL:)`` of the provider: never its key.
    public let provider: String
    /// False for `--refresh STEP`: always call, then store the new answer.
    public let reads: Bool
    /// Told about unusable entries and failed writes; the call goes on without the cache.
    public let onWarning: (@Sendable (String) -> Void)?

    public init(base: any ModelClient, cache: ResponseCache, provider: String, reads: Bool = true, onWarning: (@Sendable (String) -> Void)? = nil) {
        self.base = base
        self.cache = cache
        self.provider = provider
        self.reads = reads
        self.onWarning = onWarning
    }

    public func complete(_ request: ChatRequest, stream: Bool, onDelta: (@Sendable (String) -> Void)?) async throws(ProviderError) -> ChatCompletion {
        guard ResponseCacheKey.isDeterministic(request.parameters) else {
            return try await base.complete(request, stream: stream, onDelta: onDelta)
        }
        let key = ResponseCacheKey.key(provider: provider, request: request)
        if reads {
            let started = ContinuousClock.now
            switch cache.read(key: key, provider: provider, request: request) {
            case .hit(let answer):
                // Its modification time is its last use: `quire cache prune --older-than` keeps what is in use.
                cache.markUsed(key: key)
                if stream, let onDelta, !answer.content.isEmpty { onDelta(answer.content) }
                var completion = ChatCompletion(
                    content: answer.content, finishReason: answer.finishReason.map(FinishReason.init(rawValue:)),
                    usage: answer.usage.map {
                        TokenUsage(prompt: $0.promptTokens, completion: $0.completionTokens, total: $0.totalTokens, cachedPrompt: $0.cachedTokens)
                    },
                    model: answer.model, responseID: nil, attempts: 1, latency: ContinuousClock.now - started)
                completion.cacheHit = true
                return completion
            case .corrupt(let reason):
                onWarning?("ignoring an unusable response-cache entry (\(reason)); it will be replaced")
            case .miss:
                break
            }
        }
        let completion = try await base.complete(request, stream: stream, onDelta: onDelta)
        guard completion.finishReason != .length else { return completion }
        let answer = CachedAnswer(
            provider: provider, request: request.canonicalValue, content: completion.content,
            finishReason: completion.finishReason?.rawValue, model: completion.model,
            usage: completion.usage.map {
                Usage(promptTokens: $0.prompt, completionTokens: $0.completion, totalTokens: $0.total, cachedTokens: $0.cachedPrompt)
            })
        do {
            try cache.write(answer, key: key)
        } catch {
            onWarning?("cannot write the response cache: \(error.localizedDescription)")
        }
        return completion
    }

    public func listModels() async throws(ProviderError) -> [String] {
        try await base.listModels()
    }
}
