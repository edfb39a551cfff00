/// What produced one step's golden output: the prompt version and the SHA-256 of its file and of
/// every partial it includes, and for a model step the provider, model and parameters sent.
///
/// Recorded in `golden.meta.json`; a golden whose stamp differs from the current one is stale.
public struct GoldenStamp: Sendable, Hashable {
    public var kind: String
    public var prompt: PromptStamp
    /// Included partials (paths under `prompts/`, transitively) → SHA-256 of their text.
    public var partials: [String: String]
    public var provider: String?
    public var model: String?
    /// The parameters sent, as request-body fields (`max_tokens` under that name), without `model`.
    public var parameters: [String: Value]

    public init(
        kind: String, prompt: PromptStamp, partials: [String: String] = [:], provider: String? = nil, model: String? = nil,
        parameters: [String: Value] = [:]
    ) {
        self.kind = kind
        self.prompt = prompt
        self.partials = partials
        self.provider = provider
        self.model = model
        self.parameters = parameters
    }

    /// The stamp of a step as it would run now.
    /// - Parameters:
    ///   - parameters: the resolved parameters of a model step (model included), nil for a template step.
    public static func current(_ step: StepAnalysis, workspace: Workspace, parameters: ModelParameters?, provider: String?) -> GoldenStamp {
        let prompt = step.prompt.map(PromptStamp.init)
            ?? PromptStamp(name: step.step.kind.reference.name, version: step.step.kind.reference.version ?? 0, path: "", sha256: "")
        var partials: [String: String] = [:]
        if let file = step.prompt {
            for path in workspace.partialPaths(of: file) {
                partials[path] = workspace.sources[path].map(ContentHash.sha256) ?? ""
            }
        }
        var fields: [String: Value] = [:]
        var model: String?
        if let parameters {
            model = parameters.model
            for field in parameters.bodyFields { fields[field.key] = field.value }
        }
        return GoldenStamp(
            kind: step.step.kind.callsModel ? "prompt" : "template", prompt: prompt, partials: partials,
            provider: step.step.kind.callsModel ? provider : nil, model: model, parameters: fields)
    }

    /// Why a golden made under `recorded` is stale now, one reason per difference; empty when it is not.
    /// Each reason names the prompt, partial or parameter that changed.
    public func changes(since recorded: GoldenStamp) -> [String] {
        var reasons: [String] = []
        let now = "\(prompt.name)@v\(prompt.version)", then = "\(recorded.prompt.name)@v\(recorded.prompt.version)"
        if now != then {
            reasons.append("the step now uses \(now); the golden was made with \(then)")
        } else if prompt.sha256 != recorded.prompt.sha256 {
            reasons.append("prompt \(now) (\(prompt.path)) changed since the golden was made (sha256 \(recorded.prompt.sha256.prefix(12)) → \(prompt.sha256.prefix(12)))")
        }
        for path in Set(partials.keys).union(recorded.partials.keys).sorted() {
            switch (recorded.partials[path], partials[path]) {
            case (nil, _?): reasons.append("\(now) now includes \(path)")
            case (_?, nil): reasons.append("\(now) no longer includes \(path)")
            case (let a?, let b?) where a != b: reasons.append("partial \(path), included by \(now), changed since the golden was made")
            default: break
            }
        }
        if kind != recorded.kind { reasons.append("the step is now a \(kind) step; the golden was made by a \(recorded.kind) step") }
        if provider != recorded.provider, recorded.provider != nil, provider != nil {
            reasons.append("provider \(recorded.provider!) → \(provider!)")
        }
        if model != recorded.model { reasons.append("model \(recorded.model ?? "(none)") → \(model ?? "(none)")") }
        // Compared as JSON text: a temperature of 0 reads back from a file as the integer 0.
        func show(_ value: Value?) -> String { value.map { JSONText.encode($0, pretty: false) } ?? "(not set)" }
        for key in Set(parameters.keys).union(recorded.parameters.keys).sorted() where show(parameters[key]) != show(recorded.parameters[key]) {
            reasons.append("\(key) \(show(recorded.parameters[key])) → \(show(parameters[key]))")
        }
        return reasons
    }

    public var value: Value {
        var object: [String: Value] = ["kind": .string(kind), "prompt": prompt.value]
        if !partials.isEmpty { object["partials"] = .object(partials.mapValues(Value.string)) }
        if let provider { object["provider"] = .string(provider) }
        if let model { object["model"] = .string(model) }
        if !parameters.isEmpty { object["parameters"] = .object(parameters) }
        return .object(object)
    }

    public init(value: Value) {
        let object = value.objectValue ?? [:]
        kind = object["kind"]?.stringValue ?? "prompt"
        prompt = PromptStamp(value: object["prompt"])
        partials = (object["partials"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        provider = object["provider"]?.stringValue
        model = object["model"]?.stringValue
        parameters = object["parameters"]?.objectValue ?? [:]
    }
}
