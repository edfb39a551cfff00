/// One model call in the history: the numbers `quire show` lists and `quire stats` aggregates.
public struct HistoryCall: Sendable, Hashable {
    public var runID: String
    public var stepID: String
    /// 1-based fan-out item, nil for a plain step.
    public var item: Int?
    /// `succeeded`, `failed`, or `refused` (the budget did not allow it: never sent), as the manifest says.
    public var status: String
    public var provider: String
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var latencyMilliseconds: Int
    public var finishReason: String?
    public var retries: Int
    /// nil when the model has no known price.
    public var costUSD: Double?
    public var cacheHit: Bool
    /// The parameters sent, as canonical JSON (sorted keys).
    public var parametersJSON: String
    public var requestSHA256: String
    /// Why the call failed (or was refused), as the manifest says; nil when it succeeded.
    public var error: String?

    public init(
        runID: String, stepID: String, item: Int? = nil, status: String, provider: String, model: String, promptTokens: Int = 0,
        completionTokens: Int = 0, latencyMilliseconds: Int = 0, finishReason: String? = nil, retries: Int = 0,
        costUSD: Double? = nil, cacheHit: Bool = false, parametersJSON: String = "{}", requestSHA256: String = "",
        error: String? = nil
    ) {
        self.runID = runID
        self.stepID = stepID
        self.item = item
        self.status = status
        self.provider = provider
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMilliseconds = latencyMilliseconds
        self.finishReason = finishReason
        self.retries = retries
        self.costUSD = costUSD
        self.cacheHit = cacheHit
        self.parametersJSON = parametersJSON
        self.requestSHA256 = requestSHA256
        self.error = error
    }

    /// `plan` or `sections[3]`.
    public var label: String { item.map { "\(stepID)[\($0)]" } ?? stepID }

    /// The `--json` form of `quire show`: the manifest's keys for a call.
    public var value: Value {
        [
            "item": item.map(Value.int) ?? .null,
            "status": .string(status),
            "provider": .string(provider),
            "model": .string(model),
            "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens),
            "latency_ms": .int(latencyMilliseconds),
            "finish_reason": finishReason.map(Value.string) ?? .null,
            "retries": .int(retries),
            "cost_usd": USDAmount.value(costUSD),
            "cache_hit": .bool(cacheHit),
            "parameters": (try? JSONText.decode(parametersJSON)) ?? .object([:]),
            "request_sha256": .string(requestSHA256),
            "error": error.map(Value.string) ?? .null,
        ]
    }

    /// Refused by the run's budget and never sent: recorded, but no model call — not counted as a call,
    /// nor as a latency.
    public var isRefused: Bool { status == "refused" }

    /// The prompt tokens that count in totals: none for a cache hit, whose usage is the original call's,
    /// kept for information (as the manifest's usage totals count only calls that reached the provider).
    public var countedPromptTokens: Int { cacheHit ? 0 : promptTokens }

    /// The completion tokens that count in totals: none for a cache hit.
    public var countedCompletionTokens: Int { cacheHit ? 0 : completionTokens }
}
