/// `manifest.json` of a run: what was asked, what produced each output, and what it cost.
///
/// Pure data with a stable JSON form (sorted keys). The runner rewrites it atomically after every
/// step, so a killed run leaves a manifest that says exactly which steps finished.
public struct RunManifest: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case running, succeeded, failed, interrupted
    }

    public var formatVersion = 1
    public var quireVersion: String
    public var runID: String
    public var workflow: String
    public var workflowPath: String
    public var workflowSHA256: String
    public var caseName: String?
    public var status: Status
    public var startedAt: String
    public var finishedAt: String?
    public var inputs: [String: Value]
    /// Step records by step id.
    public var steps: [String: StepRecord]
    /// Step ids in plan order.
    public var order: [String]
    /// Files written for `output:` names, relative to the run folder.
    public var artifacts: [String]
    /// How many times the run was resumed.
    public var resumes: Int = 0
    /// The earlier run a partial run (`--from` / `--only`) took its reused steps from.
    public var reusesRun: String?
    /// The command-line choices the run was started (or last resumed) with, for `--resume`.
    public var options = RecordedOptions()

    public init(
        quireVersion: String, runID: String, workflow: String, workflowPath: String, workflowSHA256: String,
        caseName: String?, startedAt: String, inputs: [String: Value], order: [String]
    ) {
        self.quireVersion = quireVersion
        self.runID = runID
        self.workflow = workflow
        self.workflowPath = workflowPath
        self.workflowSHA256 = workflowSHA256
        self.caseName = caseName
        self.status = .running
        self.startedAt = startedAt
        self.inputs = inputs
        self.steps = [:]
        self.order = order
        self.artifacts = []
    }

    /// Total token usage over every call of the run that reached the provider (cache hits excluded).
    public var usage: Usage {
        steps.values.reduce(Usage()) { $0 + $1.totalUsage }
    }

    /// US dollars over every call of the run; nil when a call's price is unknown.
    public var costUSD: Double? {
        var total = 0.0
        for step in steps.values {
            guard let cost = step.costUSD else { return nil }
            total += cost
        }
        return total
    }

    /// Calls answered from the response cache.
    public var cacheHits: Int { steps.values.reduce(0) { $0 + $1.calls.filter(\.cacheHit).count } }

    public var value: Value {
        var object: [String: Value] = [
            "format_version": .int(formatVersion),
            "quire_version": .string(quireVersion),
            "run_id": .string(runID),
            "workflow": ["name": .string(workflow), "path": .string(workflowPath), "sha256": .string(workflowSHA256)],
            "case": caseName.map(Value.string) ?? .null,
            "status": .string(status.rawValue),
            "started_at": .string(startedAt),
            "finished_at": finishedAt.map(Value.string) ?? .null,
            "inputs": .object(inputs),
            "order": .list(order.map(Value.string)),
            "steps": .object(steps.mapValues(\.value)),
            "artifacts": .list(artifacts.map(Value.string)),
            "usage": usage.value,
            "resumes": .int(resumes),
        ]
        // A call the budget refused was never sent: it is recorded on its step, but is no model call.
        let calls = steps.values.flatMap(\.calls).filter { $0.status != .refused }
        if let reusesRun { object["reuses_run"] = .string(reusesRun) }
        if !options.isEmpty { object["options"] = options.value }
        object["calls"] = .int(calls.count)
        object["retries"] = .int(calls.reduce(0) { $0 + $1.retries })
        object["cost_usd"] = USDAmount.value(costUSD)
        object["cache_hits"] = .int(calls.filter(\.cacheHit).count)
        return .object(object)
    }

    public var json: String { JSONText.encode(value, pretty: true) + "\n" }

    /// Reads a manifest back (for `--resume`).
    public init(value: Value) throws(ManifestError) {
        guard case .object(let o) = value else { throw ManifestError("manifest is not a JSON object") }
        func string(_ key: String) throws(ManifestError) -> String {
            guard let s = o[key]?.stringValue else { throw ManifestError("manifest has no '\(key)'") }
            return s
        }
        guard let workflow = o["workflow"]?.objectValue, let name = workflow["name"]?.stringValue else {
            throw ManifestError("manifest has no workflow name")
        }
        quireVersion = try string("quire_version")
        runID = try string("run_id")
        self.workflow = name
        workflowPath = workflow["path"]?.stringValue ?? ""
        workflowSHA256 = workflow["sha256"]?.stringValue ?? ""
        caseName = o["case"]?.stringValue
        status = Status(rawValue: try string("status")) ?? .failed
        startedAt = try string("started_at")
        finishedAt = o["finished_at"]?.stringValue
        inputs = o["inputs"]?.objectValue ?? [:]
        order = o["order"]?.listValue?.compactMap(\.stringValue) ?? []
        artifacts = o["artifacts"]?.listValue?.compactMap(\.stringValue) ?? []
        reusesRun = o["reuses_run"]?.stringValue
        options = RecordedOptions(value: o["options"])
        resumes = o["resumes"].flatMap { if case .int(let i) = $0 { i } else { nil } } ?? 0
        var steps: [String: StepRecord] = [:]
        for (id, record) in o["steps"]?.objectValue ?? [:] {
            steps[id] = try StepRecord(value: record)
        }
        self.steps = steps
    }
}

public struct ManifestError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Token counts, summed over calls.
public struct Usage: Sendable, Hashable {
    public var promptTokens = 0
    public var completionTokens = 0
    public var totalTokens = 0
    /// Prompt tokens the provider served from its own prompt cache (`prompt_tokens_details.cached_tokens`),
    /// billed at the cached-input price. Written as `cached_tokens` when not 0.
    public var cachedTokens = 0

    public init(promptTokens: Int = 0, completionTokens: Int = 0, totalTokens: Int = 0, cachedTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.cachedTokens = cachedTokens
    }

    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(
            promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens,
            totalTokens: a.totalTokens + b.totalTokens, cachedTokens: a.cachedTokens + b.cachedTokens)
    }

    public var value: Value {
        var o: [String: Value] = ["prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens), "total_tokens": .int(totalTokens)]
        if cachedTokens != 0 { o["cached_tokens"] = .int(cachedTokens) }
        return .object(o)
    }

    init(value: Value?) {
        let o = value?.objectValue ?? [:]
        func int(_ k: String) -> Int { if case .int(let i) = o[k] { return i }; return 0 }
        self.init(promptTokens: int("prompt_tokens"), completionTokens: int("completion_tokens"), totalTokens: int("total_tokens"), cachedTokens: int("cached_tokens"))
    }
}
