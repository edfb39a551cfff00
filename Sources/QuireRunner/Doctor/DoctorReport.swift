import QuireCore

/// What `quire doctor` found: one row per check, and the capability flags they support.
public struct DoctorReport: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        /// Works.
        case ok
        /// The parameter had its documented effect.
        case honoured
        /// Accepted without an error; the effect is not measurable in a small request.
        case accepted
        /// Accepted, but without its effect.
        case ignored
        /// Refused with HTTP 400.
        case unsupported
        /// Works, with a caveat.
        case warning
        /// Did not work.
        case failed
        /// Not run.
        case skipped

        /// Whether a capability backed by this outcome can be declared `true`.
        var supportsCapability: Bool { self == .ok || self == .honoured || self == .accepted }
    }

    public struct Check: Sendable, Hashable {
        public var name: String
        public var outcome: Outcome
        public var detail: String
        /// The `capabilities:` key of `quire.yaml` this check informs.
        public var capability: String?
    }

    public var provider: String
    public var baseURL: String
    public var model: String
    public var checks: [Check] = []
    /// Time to the first streamed text, when streaming worked.
    public var firstTokenMilliseconds: Int?

    /// The names of every check, in the order they run.
    public static let checkNames = [
        "reachable", "models", "model", "completion", "usage", "max_tokens", "max_completion_tokens", "seed", "stop", "top_p",
        "penalties", "streaming", "stream_usage", "json_object", "json_schema",
    ]
    static let skippable = ["completion", "max_tokens", "max_completion_tokens", "seed", "stop", "top_p", "penalties", "streaming", "stream_usage", "json_object", "json_schema"]

    mutating func add(_ name: String, _ outcome: Outcome, _ detail: String, capability: String? = nil) {
        checks.append(Check(name: name, outcome: outcome, detail: detail, capability: capability))
    }

    /// Marks the checks after `name` as skipped.
    mutating func skipRemaining(after name: String, because reason: String) {
        let done = Set(checks.map(\.name))
        for check in Self.skippable where !done.contains(check) && check != name {
            add(check, .skipped, reason)
        }
    }

    public func check(_ name: String) -> Check? { checks.first { $0.name == name } }

    /// Reachable, and a plain completion works.
    public var isUsable: Bool {
        check("reachable")?.outcome == .ok && check("completion")?.outcome == .ok
    }

    /// The capability flags the checks support; a flag whose check did not run stays at its default.
    public var capabilities: ProviderCapabilities {
        var capabilities = ProviderCapabilities()
        func flag(_ name: String) -> Bool? {
            guard let check = check(name), check.outcome != .skipped else { return nil }
            return check.outcome.supportsCapability
        }
        if check("max_tokens")?.outcome != .honoured && check("max_completion_tokens")?.outcome == .honoured {
            capabilities.outputLimitParameter = "max_completion_tokens"
        }
        capabilities.seed = flag("seed") ?? capabilities.seed
        capabilities.stop = flag("stop") ?? capabilities.stop
        capabilities.topP = flag("top_p") ?? capabilities.topP
        capabilities.penalties = flag("penalties") ?? capabilities.penalties
        capabilities.streaming = flag("streaming") ?? capabilities.streaming
        capabilities.streamUsage = flag("stream_usage") ?? capabilities.streamUsage
        capabilities.jsonObject = flag("json_object") ?? capabilities.jsonObject
        capabilities.jsonSchema = flag("json_schema") ?? capabilities.jsonSchema
        return capabilities
    }

    /// The check table, aligned, for a terminal.
    public var table: String {
        let width = max(5, checks.map(\.name.count).max() ?? 0)
        let outcomeWidth = max(6, checks.map(\.outcome.rawValue.count).max() ?? 0)
        var lines = ["check".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + "result".padding(toLength: outcomeWidth, withPad: " ", startingAt: 0) + "  detail"]
        for check in checks {
            lines.append(check.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + check.outcome.rawValue.padding(toLength: outcomeWidth, withPad: " ", startingAt: 0) + "  " + check.detail)
        }
        return lines.joined(separator: "\n")
    }

    /// The `quire.yaml` row these findings suggest. `baseURL` and `apiKeyEnv` are left out for a
    /// server Quire manages itself (`local`).
    public func suggestedRow(baseURL: String?, apiKeyEnv: String?) -> String {
        let c = capabilities
        var lines = ["providers:", "  \(provider):"]
        if let baseURL { lines.append("    base_url: \(baseURL)") }
        if let apiKeyEnv, !apiKeyEnv.isEmpty { lines.append("    api_key_env: \(apiKeyEnv)") }
        if !model.isEmpty { lines.append("    defaults: {model: \(model)}") }
        lines.append("    capabilities:")
        lines.append("      output_limit: \(c.outputLimitParameter)")
        for (key, value) in [
            ("json_schema", c.jsonSchema), ("json_object", c.jsonObject), ("seed", c.seed), ("stop", c.stop), ("top_p", c.topP),
            ("penalties", c.penalties), ("streaming", c.streaming), ("stream_usage", c.streamUsage),
        ] {
            lines.append("      \(key): \(value)")
        }
        return lines.joined(separator: "\n")
    }

    /// The report as JSON (sorted keys).
    public func json(suggestedRow: String) -> String {
        let value: Value = [
            "provider": .string(provider), "base_url": .string(baseURL), "model": .string(model), "usable": .bool(isUsable),
            "checks": .list(checks.map { check in
                var object: [String: Value] = ["name": .string(check.name), "result": .string(check.outcome.rawValue), "detail": .string(check.detail)]
                if let capability = check.capability { object["capability"] = .string(capability) }
                return .object(object)
            }),
            "first_token_ms": firstTokenMilliseconds.map { .int($0) } ?? .null,
            "suggested_row": .string(suggestedRow),
        ]
        return JSONText.encode(value, pretty: true)
    }
}
