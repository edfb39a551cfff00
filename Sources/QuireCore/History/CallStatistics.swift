/// `quire stats`: calls grouped by model, workflow, step or prompt, with their tokens, latency
/// percentiles, cost, retries and cache hits.
public struct CallStatistics: Sendable, Hashable {
    public enum Grouping: String, Sendable, CaseIterable {
        case model, workflow, step, prompt
    }

    /// One call with what it is grouped by.
    public struct Sample: Sendable, Hashable {
        public var call: HistoryCall
        public var workflow: String
        /// `publishing-plan@v2`.
        public var prompt: String

        public init(call: HistoryCall, workflow: String, prompt: String) {
            self.call = call
            self.workflow = workflow
            self.prompt = prompt
        }

        func key(_ grouping: Grouping) -> String {
            switch grouping {
            case .model: call.model
            case .workflow: workflow
            // A step id means little without its workflow.
            case .step: "\(workflow)/\(call.stepID)"
            case .prompt: prompt
            }
        }
    }

    /// The figures of one group (or of all calls).
    public struct Group: Sendable, Hashable {
        public var key: String
        public var calls: Int
        /// Tokens of the calls that reached the provider (cache hits count in ``cacheHits``, not here).
        public var promptTokens: Int
        public var completionTokens: Int
        /// nil when there are no calls.
        public var meanLatencyMilliseconds: Double?
        public var p50LatencyMilliseconds: Int?
        public var p95LatencyMilliseconds: Int?
        /// The sum of the known costs; nil when no call has a known cost.
        public var costUSD: Double?
        /// Calls whose cost is unknown (a model without a price): not in ``costUSD``.
        public var unknownCostCalls: Int
        public var retries: Int
        public var cacheHits: Int

        /// The figures of `calls`; calls the budget refused (never sent) are left out.
        public init(key: String, calls: [HistoryCall]) {
            let calls = calls.filter { !$0.isRefused }
            self.key = key
            self.calls = calls.count
            // Cache hits sent nothing: their recorded usage is the original call's and is not counted.
            promptTokens = calls.reduce(0) { $0 + $1.countedPromptTokens }
            completionTokens = calls.reduce(0) { $0 + $1.countedCompletionTokens }
            let latencies = calls.map(\.latencyMilliseconds).sorted()
            meanLatencyMilliseconds = latencies.isEmpty ? nil : Double(latencies.reduce(0, +)) / Double(latencies.count)
            p50LatencyMilliseconds = CallStatistics.percentile(50, ofSorted: latencies)
            p95LatencyMilliseconds = CallStatistics.percentile(95, ofSorted: latencies)
            let known = calls.compactMap(\.costUSD)
            costUSD = known.isEmpty ? nil : known.reduce(0, +)
            unknownCostCalls = calls.count - known.count
            retries = calls.reduce(0) { $0 + $1.retries }
            cacheHits = calls.count { $0.cacheHit }
        }

        public var value: Value {
            [
                "key": .string(key),
                "calls": .int(calls),
                "prompt_tokens": .int(promptTokens),
                "completion_tokens": .int(completionTokens),
                "total_tokens": .int(promptTokens + completionTokens),
                "latency_ms": [
                    "mean": meanLatencyMilliseconds.map { .double(($0 * 10).rounded() / 10) } ?? .null,
                    "p50": p50LatencyMilliseconds.map(Value.int) ?? .null,
                    "p95": p95LatencyMilliseconds.map(Value.int) ?? .null,
                ],
                "cost_usd": USDAmount.value(costUSD),
                "unknown_cost_calls": .int(unknownCostCalls),
                "retries": .int(retries),
                "cache_hits": .int(cacheHits),
            ]
        }
    }

    public var grouping: Grouping
    /// Sorted by key.
    public var groups: [Group]
    public var total: Group

    public init(samples: [Sample], by grouping: Grouping) {
        self.grouping = grouping
        // Calls the budget refused were never sent: no model call, no latency, no group of their own.
        let samples = samples.filter { !$0.call.isRefused }
        var byKey: [String: [HistoryCall]] = [:]
        for sample in samples { byKey[sample.key(grouping), default: []].append(sample.call) }
        groups = byKey.keys.sorted().map { Group(key: $0, calls: byKey[$0]!) }
        total = Group(key: "total", calls: samples.map(\.call))
    }

    /// The nearest-rank percentile of sorted values: the smallest value with at least `p`% of the
    /// values at or below it (so p50 of 1…10 is 5 and p95 is 10). nil for no values.
    public static func percentile(_ p: Int, ofSorted values: [Int]) -> Int? {
        guard !values.isEmpty else { return nil }
        // Integer arithmetic: 0.95 * 20 in floating point is 19.000000000000004, which would round up to 20.
        let rank = (p * values.count + 99) / 100
        return values[min(values.count, max(1, rank)) - 1]
    }

    public var value: Value {
        ["by": .string(grouping.rawValue), "groups": .list(groups.map(\.value)), "total": total.value]
    }
}
