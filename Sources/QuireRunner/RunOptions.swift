import QuireCore

/// Choices made on the command line for one run.
public struct RunOptions: Sendable {
    /// The most model calls in flight at once, over all steps.
    public var concurrency: Int
    /// Ask providers to stream answers and report the text as it arrives.
    public var stream: Bool
    /// `--model`: overrides every model step's model.
    public var model: String?
    /// `--provider`: overrides every model step's provider.
    public var provider: String?
    /// `--max-cost` / `--max-tokens`: each set field overrides the workflow's `budget:`.
    public var budget: RunBudget
    /// The response cache, nil when off (`--no-cache`, and always for `quire test`).
    public var cache: ResponseCache?
    /// `--refresh STEP`: steps whose calls skip reading the cache (their answers are still stored).
    public var refresh: Set<String>
    /// Whether the workflow's `budget:` applies (false for `quire test`).
    public var workflowBudget: Bool

    public init(
        concurrency: Int = 8, stream: Bool = false, model: String? = nil, provider: String? = nil,
        budget: RunBudget = RunBudget(), cache: ResponseCache? = nil, refresh: Set<String> = [], workflowBudget: Bool = true
    ) {
        self.workflowBudget = workflowBudget
        self.concurrency = max(1, concurrency)
        self.stream = stream
        self.model = model
        self.provider = provider
        self.budget = budget
        self.cache = cache
        self.refresh = refresh
    }
}
