import Foundation
import QuireCore
import QuireProviders

extension WorkflowRunner {
    /// The budget of this run: `--max-cost` / `--max-tokens` over the workflow's `budget:`; nil when neither is set.
    public var budget: RunBudget? {
        let merged = options.budget.merged(over: options.workflowBudget ? analysis.workflow.budget : nil)
        return merged.isEmpty ? nil : merged
    }

    /// Where each limit came from, for messages.
    var budgetSources: (cost: String, tokens: String) {
        let file = analysis.workflow.path
        return (
            options.budget.maxCost != nil ? "--max-cost" : "budget.max_cost of \(file)",
            options.budget.maxTokens != nil ? "--max-tokens" : "budget.max_tokens of \(file)")
    }

    /// The price of a call (`free` for `local` providers); nil price when the model has none.
    func pricing(_ provider: ProviderConfig, model: String) -> (free: Bool, price: QuireConfig.Price?) {
        if provider.kind == .local { return (true, nil) }
        return (false, workspace.config.priceTable.price(for: model))
    }

    /// What the steps not yet finished would spend at most, before anything is sent: every call the
    /// plan knows of (fan-outs over an earlier step's output are known only while running).
    public func estimate(inputs: [String: Value], previous: [String: Value] = [:], spent: Usage = Usage(), spentCost: Double = 0) -> BudgetEstimate {
        var estimate = BudgetEstimate()
        estimate.spentTokens = spent.totalTokens
        estimate.spentCost = spentCost
        for entry in RenderPreview(workspace: workspace, analysis: analysis).entries(inputs: inputs) {
            guard previous[entry.stepId] == nil, let step = analysis.steps[entry.stepId], step.step.kind.callsModel else { continue }
            if step.step.forEach != nil && step.forEachInput == nil {
                if !estimate.unknownFanOuts.contains(entry.stepId) { estimate.unknownFanOuts.append(entry.stepId) }
                continue
            }
            guard let rendered = entry.rendered, let provider = resolver.provider(named: providerName(for: step)) else { continue }
            let model = options.model ?? rendered.parameters.model ?? ""
            let (free, price) = pricing(provider, model: model)
            estimate.add(
                step: entry.stepId, model: model, promptTokens: TokenEstimate.promptTokens(rendered.messages),
                outputTokens: rendered.parameters.maxTokens ?? RunBudget.assumedOutputTokens, price: price, free: free)
        }
        return estimate
    }

    /// The problems that stop the run before any call: the estimate above the budget, or a cost budget
    /// for a model without a price. Empty without a budget.
    public func budgetProblems(inputs: [String: Value], previous: [String: Value] = [:], spent: Usage = Usage(), spentCost: Double = 0) -> [Diagnostic] {
        guard let budget else { return [] }
        let sources = budgetSources
        return estimate(inputs: inputs, previous: previous, spent: spent, spentCost: spentCost)
            .problems(for: budget, costSource: sources.cost, tokenSource: sources.tokens)
    }

    /// The client for one call: the provider's, behind the budget, behind the response cache.
    func decorated(_ client: any ModelClient, provider: ProviderConfig, model: String, step: String, budget: BudgetGuard?) -> any ModelClient {
        var client = client
        if let budget {
            let (free, price) = pricing(provider, model: model)
            client = BudgetClient(base: client, guardian: budget, provider: provider.name, price: price, free: free)
        }
        if let cache = options.cache {
            let observer = self.observer
            client = CachingClient(
                base: client, cache: cache, provider: Self.cacheIdentity(provider), reads: !options.refresh.contains(step),
                onWarning: { observer.handle(.warning(.warning("run.cache-entry", $0))) })
        }
        return client
    }

    /// The provider's identity in cache keys: its base URL, or `local:<model file>` for a local model
    /// whose server (and port) changes from run to run. Never a key.
    static func cacheIdentity(_ provider: ProviderConfig) -> String {
        if let base = provider.baseURL { return ResponseCacheKey.identity(baseURL: base) }
        return "local:" + (provider.modelPath ?? "bundled")
    }

    /// The budget guard of a run that starts from `manifest` (an earlier attempt's spending counts).
    func makeBudgetGuard(manifest: RunManifest) -> BudgetGuard? {
        guard let budget else { return nil }
        let sources = budgetSources
        return BudgetGuard(
            budget: budget, costSource: sources.cost, tokenSource: sources.tokens, spentTokens: manifest.usage.totalTokens,
            spentCost: manifest.costUSD ?? 0)
    }
}
