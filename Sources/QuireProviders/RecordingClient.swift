import QuireCore

/// Wraps a live client and keeps every successful exchange in an ``ExchangeLog``, keyed by the
/// canonical request (``ChatRequest/hash``: sorted keys, no headers, no key). Errors pass through.
public struct RecordingClient: ModelClient {
    public let base: any ModelClient
    public let log: ExchangeLog

    public init(base: any ModelClient, log: ExchangeLog) {
        self.base = base
        self.log = log
    }

    public func complete(_ request: ChatRequest, stream: Bool, onDelta: (@Sendable (String) -> Void)?) async throws(ProviderError) -> ChatCompletion {
        let completion = try await base.complete(request, stream: stream, onDelta: onDelta)
        log.record(request, completion: completion)
        return completion
    }

    public func listModels() async throws(ProviderError) -> [String] {
        try await base.listModels()
    }
}
