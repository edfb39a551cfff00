/// One run as the history keeps it: a row of `quire runs`.
///
/// Built from a manifest's JSON (``HistoryRecord/init(manifest:folder:)``), never from the live run,
/// so the history and `manifest.json` cannot disagree.
public struct HistoryRun: Sendable, Hashable {
    public var runID: String
    public var workflow: String
    public var caseName: String?
    /// `running`, `succeeded`, `failed` or `interrupted`, as the manifest says.
    public var status: String
    /// ISO 8601, as in the manifest.
    public var startedAt: String
    public var finishedAt: String?
    /// `finished_at - started_at`; nil while the run has not finished.
    public var durationMilliseconds: Int?
    /// The run folder, relative to the workspace root.
    public var folder: String
    public var calls: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// The sum of the calls' known costs; nil when no call has a known cost.
    public var costUSD: Double?
    /// Calls whose model has no known price (their cost is not in ``costUSD``).
    public var unknownCostCalls: Int
    public var cacheHits: Int
    public var retries: Int
    public var resumes: Int
    /// The process that writes the run (nil when imported from a manifest): tells a killed run from a live one.
    public var pid: Int?

    public init(
        runID: String, workflow: String, caseName: String? = nil, status: String, startedAt: String, finishedAt: String? = nil,
        durationMilliseconds: Int? = nil, folder: String, calls: Int = 0, promptTokens: Int = 0, completionTokens: Int = 0,
        totalTokens: Int = 0, costUSD: Double? = nil, unknownCostCalls: Int = 0, cacheHits: Int = 0, retries: Int = 0,
        resumes: Int = 0, pid: Int? = nil
    ) {
        self.runID = runID
        self.workflow = workflow
        self.caseName = caseName
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMilliseconds = durationMilliseconds
        self.folder = folder
        self.calls = calls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costUSD = costUSD
        self.unknownCostCalls = unknownCostCalls
        self.cacheHits = cacheHits
        self.retries = retries
        self.resumes = resumes
        self.pid = pid
    }

    /// The `--json` form: snake_case keys, null for unknowns.
    public var value: Value {
        [
            "run_id": .string(runID),
            "workflow": .string(workflow),
            "case": caseName.map(Value.string) ?? .null,
            "status": .string(status),
            "started_at": .string(startedAt),
            "finished_at": finishedAt.map(Value.string) ?? .null,
            "duration_ms": durationMilliseconds.map(Value.int) ?? .null,
            "folder": .string(folder),
            "calls": .int(calls),
            "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens),
            "total_tokens": .int(totalTokens),
            "cost_usd": USDAmount.value(costUSD),
            "unknown_cost_calls": .int(unknownCostCalls),
            "cache_hits": .int(cacheHits),
            "retries": .int(retries),
            "resumes": .int(resumes),
        ]
    }
}
