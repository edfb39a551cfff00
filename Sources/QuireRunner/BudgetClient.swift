import QuireCore
import QuireProviders

/// Wraps a client so that a call starts only when the run's ``BudgetGuard`` allows its worst case:
/// the estimated prompt plus its output limit (``RunBudget/assumedOutputTokens`` when it has none).
/// Sits inside ``CachingClient``, so cache hits are never refused.
public struct BudgetClient: ModelClient {
    public let base: any ModelClient
    public let guardian: BudgetGuard
    public let provider: String
    /// nil when the model has no price.
    public let price: QuireConfig.Price?
    /// A `local` provider: tokens count, dollars do not.
    public let free: Bool

    public init(base: any ModelClient, guardian: BudgetGuard, provider: String, price: QuireConfig.Price?, free: Bool) {
        self.base = base
        self.guardian = guardian
        self.provider = provider
        self.price = price
        self.free = free
    }

    public func complete(_ request: ChatRequest, stream: Bool, onDelta: (@Sendable (String) -> Void)?) async throws(ProviderError) -> ChatCompletion {
        let prompt = TokenEstimate.promptTokens(request.messages)
        let output = request.parameters.maxTokens ?? RunBudget.assumedOutputTokens
        let worst: Double? = free ? 0 : price?.cost(prompt: prompt, completion: output)
        let reservation: BudgetGuard.Reservation
        switch guardian.reserve(tokens: prompt + output, cost: worst, model: request.model) {
        case .failure(let refusal):
            throw ProviderError(.budgetExceeded, provider: provider, message: refusal.message, attempts: 0)
        case .success(let r): reservation = r
        }
        do {
            let completion = try await base.complete(request, stream: stream, onDelta: onDelta)
            let usage = completion.usage.map {
                Usage(promptTokens: $0.prompt, completionTokens: $0.completion, totalTokens: $0.total, cachedTokens: $0.cachedPrompt)
            }
            // Without reported usage, the worst case stays counted.
            let cost = free ? 0 : (usage.flatMap { price?.cost(of: $0) } ?? reservation.cost)
            guardian.settle(reservation, tokens: usage?.totalTokens ?? reservation.tokens, cost: cost)
            return completion
        } catch {
            // Usage of a failed call is not reported; it counts nothing.
            guardian.settle(reservation, tokens: 0, cost: 0)
            throw error
        }
    }

    public func listModels() async throws(ProviderError) -> [String] {
        try await base.listModels()
    }
}
