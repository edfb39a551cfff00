import QuireCore

/// Runs chat completions against one model provider.
///
/// The runner talks to models only through this protocol, so tests and record/replay can stand in
/// for the network. ``OpenAIClient`` is the one real implementation.
public protocol ModelClient: Sendable {
    /// Runs `request` and returns the assistant's answer.
    ///
    /// - Parameters:
    ///   - request: the fully resolved request (model, messages, parameters).
    ///   - stream: ask the backend to stream the answer (Server-Sent Events). The returned value is
    ///     the same either way; streaming only adds `onDelta` calls while the answer arrives.
    ///   - onDelta: called with each piece of streamed text, in order. When a streamed attempt fails
    ///     part-way and is retried, the new attempt's pieces follow from the beginning of its answer;
    ///     the returned ``ChatCompletion/content`` is always that of the successful attempt only.
    /// - Throws: ``ProviderError``, including ``ProviderError/Kind/cancelled`` when the task is cancelled.
    func complete(
        _ request: ChatRequest, stream: Bool, onDelta: (@Sendable (String) -> Void)?
    ) async throws(ProviderError) -> ChatCompletion

    /// The model ids the provider offers (`GET /models`), sorted.
    func listModels() async throws(ProviderError) -> [String]
}

extension ModelClient {
    /// A non-streaming completion.
    public func complete(_ request: ChatRequest) async throws(ProviderError) -> ChatCompletion {
        try await complete(request, stream: false, onDelta: nil)
    }
}
