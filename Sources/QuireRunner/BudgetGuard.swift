import Foundation
import QuireCore

/// Keeps a run within its ``RunBudget`` while it goes: a call may start only when what was spent, plus
/// the worst case of the calls in flight, plus its own worst case stays within the budget.
/// Shared by concurrent calls.
public final class BudgetGuard: @unchecked Sendable {
    public struct Reservation: Sendable {
        public var tokens: Int
        public var cost: Double
    }

    public let budget: RunBudget
    /// Where the limits came from, for messages: `--max-cost` or `budget.max_cost in workflows/x.yaml`.
    public let costSource: String
    public let tokenSource: String
    private let lock = NSLock()
    private var spentTokens: Int
    private var spentCost: Double
    private var reservedTokens = 0
    private var reservedCost = 0.0
    /// Set by the first refusal: from then on no call starts, so the run stops rather than picking
    /// the calls that happen to fit.
    private var stopped = false

    public init(budget: RunBudget, costSource: String, tokenSource: String, spentTokens: Int = 0, spentCost: Double = 0) {
        self.budget = budget
        self.costSource = costSource
        self.tokenSource = tokenSource
        self.spentTokens = spentTokens
        self.spentCost = spentCost
    }

    /// Reserves a call's worst case (`cost` nil: the model has no price), or says why it may not start.
    public func reserve(tokens: Int, cost: Double?, model: String) -> Result<Reservation, BudgetRefusal> {
        lock.withLock {
            let result = check(tokens: tokens, cost: cost, model: model)
            if case .failure = result { stopped = true }
            return result
        }
    }

    private func check(tokens: Int, cost: Double?, model: String) -> Result<Reservation, BudgetRefusal> {
        if stopped {
            return .failure(BudgetRefusal("budget exceeded earlier in this run; no new call starts"))
        }
        if let maxTokens = budget.maxTokens, spentTokens + reservedTokens + tokens > maxTokens {
            return .failure(BudgetRefusal(
                "budget exceeded: \(spentTokens) tokens spent\(reservedTokens > 0 ? " and \(reservedTokens) in flight" : "") + up to \(tokens) for this call > \(tokenSource) \(maxTokens)"))
        }
        if let maxCost = budget.maxCost {
            guard let cost else {
                return .failure(BudgetRefusal("budget exceeded: model '\(model)' has no price, so its cost cannot be kept within \(costSource)"))
            }
            if spentCost + reservedCost + cost > maxCost {
                return .failure(BudgetRefusal(
                    "budget exceeded: \(RunBudget.dollars(spentCost)) spent\(reservedCost > 0 ? " and \(RunBudget.dollars(reservedCost)) in flight" : "") + up to \(RunBudget.dollars(cost)) for this call > \(costSource) \(RunBudget.dollars(maxCost))"))
            }
        }
        let reservation = Reservation(tokens: tokens, cost: cost ?? 0)
        reservedTokens += reservation.tokens
        reservedCost += reservation.cost
        return .success(reservation)
    }

    /// Replaces a reservation by what the call really used.
    public func settle(_ reservation: Reservation, tokens: Int, cost: Double) {
        lock.withLock {
            reservedTokens -= reservation.tokens
            reservedCost -= reservation.cost
            spentTokens += tokens
            spentCost += cost
        }
    }

    public var spent: (tokens: Int, cost: Double) { lock.withLock { (spentTokens, spentCost) } }
}

public struct BudgetRefusal: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
