/// The command-line choices of `quire run` that change what a run sends or may spend, kept in its
/// manifest (`options`) so that `--resume` continues the run as it was started: with the same
/// `--model`, `--provider`, budget, cache choice and `--model-path`.
public struct RecordedOptions: Sendable, Hashable {
    public var model: String?
    public var provider: String?
    public var maxCost: Double?
    public var maxTokens: Int?
    public var noCache: Bool
    public var refresh: [String]
    public var modelPath: String?

    public init(
        model: String? = nil, provider: String? = nil, maxCost: Double? = nil, maxTokens: Int? = nil,
        noCache: Bool = false, refresh: [String] = [], modelPath: String? = nil
    ) {
        self.model = model
        self.provider = provider
        self.maxCost = maxCost
        self.maxTokens = maxTokens
        self.noCache = noCache
        self.refresh = refresh.sorted()
        self.modelPath = modelPath
    }

    public var isEmpty: Bool { self == RecordedOptions() }

    /// What a resumed run uses: each choice given again on the command line (`given`) wins, every other
    /// one is the recorded one. `--no-cache` and `--refresh` given again add to the recorded ones.
    /// - Returns: the options, and the flags given with a value other than the recorded one (for a warning).
    public func resumed(with given: RecordedOptions) -> (options: RecordedOptions, changed: [String]) {
        var changed: [String] = []
        func pick<T: Equatable>(_ flag: String, _ recorded: T?, _ new: T?) -> T? {
            guard let new else { return recorded }
            if let recorded, recorded != new { changed.append(flag) }
            return new
        }
        let options = RecordedOptions(
            model: pick("--model", model, given.model),
            provider: pick("--provider", provider, given.provider),
            maxCost: pick("--max-cost", maxCost, given.maxCost),
            maxTokens: pick("--max-tokens", maxTokens, given.maxTokens),
            noCache: noCache || given.noCache,
            refresh: Array(Set(refresh).union(given.refresh)),
            modelPath: pick("--model-path", modelPath, given.modelPath))
        return (options, changed)
    }

    /// The recorded choices as command-line flags, for messages: `--model gpt-4o-mini --max-cost 0.5`.
    public var flags: String {
        var parts: [String] = []
        if let model { parts.append("--model \(model)") }
        if let provider { parts.append("--provider \(provider)") }
        if let maxCost { parts.append("--max-cost \(Value.format(maxCost))") }
        if let maxTokens { parts.append("--max-tokens \(maxTokens)") }
        if noCache { parts.append("--no-cache") }
        for step in refresh { parts.append("--refresh \(step)") }
        if let modelPath { parts.append("--model-path \(modelPath)") }
        return parts.joined(separator: " ")
    }

    public var value: Value {
        var object: [String: Value] = [:]
        if let model { object["model"] = .string(model) }
        if let provider { object["provider"] = .string(provider) }
        if let maxCost { object["max_cost"] = .double(maxCost) }
        if let maxTokens { object["max_tokens"] = .int(maxTokens) }
        if noCache { object["no_cache"] = .bool(true) }
        if !refresh.isEmpty { object["refresh"] = .list(refresh.map(Value.string)) }
        if let modelPath { object["model_path"] = .string(modelPath) }
        return .object(object)
    }

    /// Reads `options` back; fields of the wrong type are left out (a manifest is not hand-edited input).
    public init(value: Value?) {
        let o = value?.objectValue ?? [:]
        let maxCost: Double? = switch o["max_cost"] {
        case .double(let d)? where d.isFinite && d > 0: d
        case .int(let i)? where i > 0: Double(i)
        default: nil
        }
        let maxTokens: Int? = if case .int(let i)? = o["max_tokens"], i > 0 { i } else { nil }
        self.init(
            model: o["model"]?.stringValue, provider: o["provider"]?.stringValue, maxCost: maxCost, maxTokens: maxTokens,
            noCache: o["no_cache"] == .bool(true), refresh: o["refresh"]?.listValue?.compactMap(\.stringValue) ?? [],
            modelPath: o["model_path"]?.stringValue)
    }
}
