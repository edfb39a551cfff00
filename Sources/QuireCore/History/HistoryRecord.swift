/// A run, its steps and its calls as history rows, made from the JSON of its manifest.
///
/// Reading the JSON (not ``RunManifest``) keeps keys that other parts of Quire add to a manifest —
/// per call `cost_usd` (a number, or null when the model has no known price) and `cache_hit`, and the
/// run's `cost_usd` — without the history having to know the Swift types that write them.
public struct HistoryRecord: Sendable, Hashable {
    public var run: HistoryRun
    /// In plan order.
    public var steps: [HistoryStep]
    /// In plan order, then item order.
    public var calls: [HistoryCall]

    public init(run: HistoryRun, steps: [HistoryStep], calls: [HistoryCall]) {
        self.run = run
        self.steps = steps
        self.calls = calls
    }

    /// Reads a manifest's JSON. `folder` is the run folder relative to the workspace root.
    public init(manifest: Value, folder: String, pid: Int? = nil) throws(ManifestError) {
        guard let o = manifest.objectValue else { throw ManifestError("manifest is not a JSON object") }
        guard let runID = o["run_id"]?.stringValue else { throw ManifestError("manifest has no 'run_id'") }
        guard let workflow = o["workflow"]?.objectValue?["name"]?.stringValue else { throw ManifestError("manifest has no workflow name") }
        guard let startedAt = o["started_at"]?.stringValue else { throw ManifestError("manifest has no 'started_at'") }
        let finishedAt = o["finished_at"]?.stringValue
        let order = o["order"]?.listValue?.compactMap(\.stringValue) ?? []
        let stepValues = o["steps"]?.objectValue ?? [:]
        // Plan order first, then any step the plan no longer names (sorted, for a stable order).
        let ids = order.filter { stepValues[$0] != nil } + stepValues.keys.filter { !order.contains($0) }.sorted()

        var steps: [HistoryStep] = []
        var calls: [HistoryCall] = []
        var totalTokens = 0
        for (position, id) in ids.enumerated() {
            guard let step = stepValues[id]?.objectValue else { continue }
            let prompt = step["prompt"]?.objectValue ?? [:]
            steps.append(HistoryStep(
                runID: runID, stepID: id, position: position, kind: step["kind"]?.stringValue ?? "prompt",
                status: step["status"]?.stringValue ?? "pending", promptName: prompt["name"]?.stringValue ?? "",
                promptVersion: Self.int(prompt["version"]) ?? 0, promptSHA256: prompt["sha256"]?.stringValue ?? "",
                error: step["error"]?.stringValue, reusedFrom: step["reused_from"]?.stringValue))
            let stepCalls = (step["calls"]?.listValue ?? []).compactMap(\.objectValue)
            for call in stepCalls.sorted(by: { (Self.int($0["item"]) ?? 0) < (Self.int($1["item"]) ?? 0) }) {
                let usage = call["usage"]?.objectValue ?? [:]
                // A cache hit keeps the original call's usage for information; totals count only calls
                // that reached the provider, as the manifest's do.
                if call["cache_hit"] != .bool(true) { totalTokens += Self.int(usage["total_tokens"]) ?? 0 }
                calls.append(HistoryCall(
                    runID: runID, stepID: id, item: Self.int(call["item"]), status: call["status"]?.stringValue ?? "pending",
                    provider: call["provider"]?.stringValue ?? "", model: call["model"]?.stringValue ?? "",
                    promptTokens: Self.int(usage["prompt_tokens"]) ?? 0, completionTokens: Self.int(usage["completion_tokens"]) ?? 0,
                    latencyMilliseconds: Self.int(call["latency_ms"]) ?? 0, finishReason: call["finish_reason"]?.stringValue,
                    retries: Self.int(call["retries"]) ?? 0, costUSD: Self.number(call["cost_usd"]),
                    cacheHit: call["cache_hit"] == .bool(true),
                    parametersJSON: JSONText.encode(call["parameters"] ?? .object([:]), pretty: false),
                    requestSHA256: call["request_sha256"]?.stringValue ?? "", error: call["error"]?.stringValue))
            }
        }

        // Calls the budget refused were never sent: they stay in `calls` (`show` lists them) but count nowhere.
        let sent = calls.filter { !$0.isRefused }
        let knownCosts = sent.compactMap(\.costUSD)
        let cost: Double? = knownCosts.isEmpty ? Self.number(o["cost_usd"]) : USDAmount.rounded(knownCosts.reduce(0, +))
        var duration: Int?
        if let finishedAt, let start = ISOTimestamp.milliseconds(startedAt), let end = ISOTimestamp.milliseconds(finishedAt) {
            duration = max(0, end - start)
        }
        run = HistoryRun(
            runID: runID, workflow: workflow, caseName: o["case"]?.stringValue, status: o["status"]?.stringValue ?? "running",
            startedAt: startedAt, finishedAt: finishedAt, durationMilliseconds: duration, folder: folder, calls: sent.count,
            promptTokens: sent.reduce(0) { $0 + $1.countedPromptTokens },
            completionTokens: sent.reduce(0) { $0 + $1.countedCompletionTokens },
            totalTokens: totalTokens,
            costUSD: cost, unknownCostCalls: sent.count - knownCosts.count, cacheHits: sent.count { $0.cacheHit },
            retries: sent.reduce(0) { $0 + $1.retries }, resumes: Self.int(o["resumes"]) ?? 0, pid: pid)
        self.steps = steps
        self.calls = calls
    }

    static func int(_ value: Value?) -> Int? {
        switch value {
        case .int(let i): i
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: Int(d)
        default: nil
        }
    }

    static func number(_ value: Value?) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d) where d.isFinite: d
        default: nil
        }
    }
}
