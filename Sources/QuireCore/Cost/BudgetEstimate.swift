/// What a run is expected to spend at most, worked out before any call: the rendered prompts' estimated
/// size plus each call's output limit, priced by the ``PriceTable``.
public struct BudgetEstimate: Sendable, Hashable {
    /// Model calls counted (fan-out items over a known list count one each).
    public var calls = 0
    public var tokens = 0
    /// US dollars; calls to `local` providers count 0. Not meaningful when ``unpricedModels`` is not empty.
    public var cost = 0.0
    /// Steps with `for_each` over an earlier step's output: their item count is known only while the
    /// run goes, so they are not counted here (the run checks each of their calls before sending it).
    public var unknownFanOuts: [String] = []
    /// Models with no price (neither built in nor in `quire.yaml`), with the first step using each.
    public var unpricedModels: [(model: String, step: String)] = []
    /// Tokens, cost and calls already spent by an earlier attempt of the run (`--resume`).
    public var spentTokens = 0
    public var spentCost = 0.0

    public init() {}

    public static func == (a: BudgetEstimate, b: BudgetEstimate) -> Bool {
        a.calls == b.calls && a.tokens == b.tokens && a.cost == b.cost && a.unknownFanOuts == b.unknownFanOuts
            && a.unpricedModels.map(\.model) == b.unpricedModels.map(\.model) && a.spentTokens == b.spentTokens
            && a.spentCost == b.spentCost
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(calls)
        hasher.combine(tokens)
        hasher.combine(unknownFanOuts)
    }

    /// Adds one call: `promptTokens` estimated from the rendered messages, `outputTokens` its output limit.
    public mutating func add(step: String, model: String, promptTokens: Int, outputTokens: Int, price: QuireConfig.Price?, free: Bool) {
        calls += 1
        tokens += promptTokens + outputTokens
        if free { return }
        if let price {
            cost += price.cost(prompt: promptTokens, completion: outputTokens)
        } else if !unpricedModels.contains(where: { $0.model == model }) {
            unpricedModels.append((model, step))
        }
    }

    /// The problems that stop the run before it starts: a cost budget with a model that has no price,
    /// or an estimate above the budget. `source` names where the budget came from, e.g. `--max-cost`.
    public func problems(for budget: RunBudget, costSource: String, tokenSource: String) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let note = unknownFanOuts.isEmpty ? [] : [
            "not counted: the items of \(unknownFanOuts.map { "'\($0)'" }.joined(separator: ", ")), known only while the run goes; each of their calls is checked against the budget before it is sent"
        ]
        let spentNote = spentTokens > 0 || spentCost > 0
            ? ["already spent by the earlier attempt of this run: \(spentTokens) tokens, \(RunBudget.dollars(spentCost))"] : []
        if let maxCost = budget.maxCost {
            if let first = unpricedModels.first {
                problems.append(.error(
                    "run.unknown-price",
                    "\(costSource) \(RunBudget.dollars(maxCost)) needs the price of model '\(first.model)' (step '\(first.step)'), and Quire has none",
                    at: costSource.hasPrefix("--") ? nil : budget.location,
                    suggestion: "add it to quire.yaml: prices: { \(first.model): { input: …, cached_input: …, output: … } } (US dollars per 1M tokens)"))
            } else if spentCost + cost > maxCost {
                problems.append(.error(
                    "run.budget-exceeded",
                    "the estimated cost \(RunBudget.dollars(spentCost + cost)) (\(calls) call\(calls == 1 ? "" : "s")) exceeds the budget \(costSource) \(RunBudget.dollars(maxCost)); nothing was sent",
                    at: costSource.hasPrefix("--") ? nil : budget.location,
                    notes: spentNote + note + ["the estimate is the rendered prompts (about 4 characters a token) plus each call's max_tokens"],
                    suggestion: "raise \(costSource), or lower max_tokens"))
            }
        }
        if let maxTokens = budget.maxTokens, spentTokens + tokens > maxTokens {
            problems.append(.error(
                "run.budget-exceeded",
                "the estimated \(spentTokens + tokens) tokens (\(calls) call\(calls == 1 ? "" : "s")) exceed the budget \(tokenSource) \(maxTokens); nothing was sent",
                at: tokenSource.hasPrefix("--") ? nil : budget.location,
                notes: spentNote + note + ["the estimate is the rendered prompts (about 4 characters a token) plus each call's max_tokens"],
                suggestion: "raise \(tokenSource), or lower max_tokens"))
        }
        return problems
    }
}
