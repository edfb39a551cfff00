/// What the manifest says about one step: the prompt that produced it, every model call, and where its output is.
public struct StepRecord: Sendable, Hashable {
    /// `refused` is for calls only: the run's budget did not allow the call, which was never sent.
    public enum Status: String, Sendable, Hashable {
        case pending, running, succeeded, failed, skipped, refused
    }

    public var id: String
    public var kind: String
    public var status: Status
    public var prompt: PromptStamp
    /// The output file(s), relative to the run folder: one for a step, one per item for a fan-out.
    public var outputs: [String]
    /// One entry per model call (one per item for a fan-out); empty for template steps. Calls the budget
    /// refused are kept, with status `refused`, but are not model calls.
    public var calls: [CallRecord]
    public var error: String?
    public var warnings: [String]
    /// The run this step's output was copied from (a partial run, `--from` / `--only`); nil when it ran here.
    public var reusedFrom: String?

    public init(id: String, kind: String, status: Status, prompt: PromptStamp, outputs: [String] = [], calls: [CallRecord] = [], error: String? = nil, warnings: [String] = []) {
        self.id = id
        self.kind = kind
        self.status = status
        self.prompt = prompt
        self.outputs = outputs
        self.calls = calls
        self.error = error
        self.warnings = warnings
    }

    /// Usage of the calls that reached the provider; cache hits keep their original usage for
    /// information but are not counted.
    public var totalUsage: Usage { calls.reduce(Usage()) { $1.cacheHit ? $0 : $0 + $1.usage } }

    /// US dollars over the step's calls; nil when a call's price is unknown. 0 for a template step.
    public var costUSD: Double? {
        var total = 0.0
        for call in calls {
            guard let cost = call.costUSD else { return nil }
            total += cost
        }
        return total
    }

    public var value: Value {
        var o: [String: Value] = [
            "id": .string(id),
            "kind": .string(kind),
            "status": .string(status.rawValue),
            "prompt": prompt.value,
            "outputs": .list(outputs.map(Value.string)),
            "calls": .list(calls.map(\.value)),
            "usage": totalUsage.value,
            "cost_usd": USDAmount.value(costUSD),
        ]
        if let error { o["error"] = .string(error) }
        if !warnings.isEmpty { o["warnings"] = .list(warnings.map(Value.string)) }
        if let reusedFrom { o["reused_from"] = .string(reusedFrom) }
        return .object(o)
    }

    init(value: Value) throws(ManifestError) {
        guard let o = value.objectValue, let id = o["id"]?.stringValue else { throw ManifestError("a step record has no id") }
        self.id = id
        kind = o["kind"]?.stringValue ?? "prompt"
        status = o["status"]?.stringValue.flatMap(Status.init(rawValue:)) ?? .pending
        prompt = PromptStamp(value: o["prompt"])
        outputs = o["outputs"]?.listValue?.compactMap(\.stringValue) ?? []
        var calls: [CallRecord] = []
        for call in o["calls"]?.listValue ?? [] { calls.append(CallRecord(value: call)) }
        self.calls = calls
        error = o["error"]?.stringValue
        warnings = o["warnings"]?.listValue?.compactMap(\.stringValue) ?? []
        reusedFrom = o["reused_from"]?.stringValue
    }
}

/// The prompt version behind an output: name, version, path and SHA-256 of the file.
public struct PromptStamp: Sendable, Hashable {
    public var name: String
    public var version: Int
    public var path: String
    public var sha256: String

    public init(name: String, version: Int, path: String, sha256: String) {
        self.name = name
        self.version = version
        self.path = path
        self.sha256 = sha256
    }

    public init(_ prompt: PromptFile) {
        self.init(name: prompt.name, version: prompt.version, path: prompt.path, sha256: prompt.sha256)
    }

    public var value: Value {
        ["name": .string(name), "version": .int(version), "path": .string(path), "sha256": .string(sha256)]
    }

    init(value: Value?) {
        let o = value?.objectValue ?? [:]
        name = o["name"]?.stringValue ?? ""
        if case .int(let v) = o["version"] { version = v } else { version = 0 }
        path = o["path"]?.stringValue ?? ""
        sha256 = o["sha256"]?.stringValue ?? ""
    }
}

/// One model call: the exact request (by hash), the answer's metadata, and what it cost.
public struct CallRecord: Sendable, Hashable {
    /// 1-based item of a fan-out, nil for a plain step.
    public var item: Int?
    public var status: StepRecord.Status
    public var provider: String
    public var model: String
    /// The model the backend said answered.
    public var responseModel: String?
    /// Every parameter sent, as request-body fields (after the provider's renames).
    public var parameters: [String: Value]
    public var requestSHA256: String
    public var usage: Usage
    public var latencyMilliseconds: Int
    public var finishReason: String?
    public var retries: Int
    public var error: String?
    public var output: String?
    /// US dollars; 0 for a cache hit, a `local` provider or a call never sent; nil when the model has
    /// no price (never guessed).
    public var costUSD: Double?
    /// Answered from the response cache: no request was sent; ``usage`` is the original call's.
    public var cacheHit: Bool

    public init(
        item: Int?, status: StepRecord.Status, provider: String, model: String, responseModel: String? = nil,
        parameters: [String: Value], requestSHA256: String, usage: Usage = Usage(), latencyMilliseconds: Int = 0,
        finishReason: String? = nil, retries: Int = 0, error: String? = nil, output: String? = nil,
        costUSD: Double? = 0, cacheHit: Bool = false
    ) {
        self.costUSD = costUSD
        self.cacheHit = cacheHit
        self.item = item
        self.status = status
        self.provider = provider
        self.model = model
        self.responseModel = responseModel
        self.parameters = parameters
        self.requestSHA256 = requestSHA256
        self.usage = usage
        self.latencyMilliseconds = latencyMilliseconds
        self.finishReason = finishReason
        self.retries = retries
        self.error = error
        self.output = output
    }

    public var value: Value {
        var o: [String: Value] = [
            "status": .string(status.rawValue),
            "provider": .string(provider),
            "model": .string(model),
            "parameters": .object(parameters),
            "request_sha256": .string(requestSHA256),
            "usage": usage.value,
            "latency_ms": .int(latencyMilliseconds),
            "finish_reason": finishReason.map(Value.string) ?? .null,
            "retries": .int(retries),
            "cost_usd": USDAmount.value(costUSD),
            "cache_hit": .bool(cacheHit),
        ]
        if let item { o["item"] = .int(item) }
        if let responseModel { o["response_model"] = .string(responseModel) }
        if let error { o["error"] = .string(error) }
        if let output { o["output"] = .string(output) }
        return .object(o)
    }

    public init(value: Value) {
        let o = value.objectValue ?? [:]
        func int(_ k: String) -> Int? { if case .int(let i) = o[k] { return i }; return nil }
        item = int("item")
        status = o["status"]?.stringValue.flatMap(StepRecord.Status.init(rawValue:)) ?? .pending
        provider = o["provider"]?.stringValue ?? ""
        model = o["model"]?.stringValue ?? ""
        responseModel = o["response_model"]?.stringValue
        parameters = o["parameters"]?.objectValue ?? [:]
        requestSHA256 = o["request_sha256"]?.stringValue ?? ""
        usage = Usage(value: o["usage"])
        latencyMilliseconds = int("latency_ms") ?? 0
        finishReason = o["finish_reason"]?.stringValue
        retries = int("retries") ?? 0
        error = o["error"]?.stringValue
        output = o["output"]?.stringValue
        switch o["cost_usd"] {
        case .double(let d): costUSD = d
        case .int(let i): costUSD = Double(i)
        default: costUSD = nil
        }
        cacheHit = o["cache_hit"] == .bool(true)
    }
}
