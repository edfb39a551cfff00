/// `quire.yaml`: providers, defaults, prices and paths of a workspace. Every key is optional.
public struct QuireConfig: Sendable {
    public struct Paths: Sendable, Hashable {
        public var prompts = "prompts"
        public var workflows = "workflows"
        public var output = "output"
        public var golden = "golden"

        public init() {}
    }

    /// Per 1M tokens, in US dollars.
    public struct Price: Sendable, Hashable {
        public var input: Double
        public var cachedInput: Double?
        public var output: Double

        public init(input: Double, cachedInput: Double? = nil, output: Double) {
            self.input = input
            self.cachedInput = cachedInput
            self.output = output
        }

        /// The most a price may be: far above any real model's, low enough that no cost sum overflows.
        public static let ceiling = 1_000_000.0

        /// Why `amount` cannot be a price per 1M tokens, if it cannot: negative, not a number, infinite, or absurd.
        public static func problem(_ amount: Double) -> String? {
            if amount.isNaN { return "a price must be a number of US dollars, not .nan" }
            if amount < 0 { return "prices cannot be negative" }
            if amount > ceiling { return amount.isInfinite ? "a price must be finite" : "a price over $1,000,000 per 1M tokens is surely a mistake" }
            return nil
        }
    }

    /// The provider used when neither the step nor the workflow nor the command line names one.
    public var defaultProvider: String?
    public var providers: [String: ProviderConfig] = [:]
    public var defaults = ModelParameters()
    public var prices: [String: Price] = [:]
    public var paths = Paths()
    public var concurrency: Int?
    public var path: String = "quire.yaml"

    public init() {}

    /// The built-in prices overridden and extended by `prices:`.
    public var priceTable: PriceTable { PriceTable(overrides: prices) }

    static let topKeys = ["provider", "providers", "defaults", "prices", "paths", "concurrency"]
    static let providerKeys = [
        "kind", "base_url", "api_key_env", "headers", "defaults", "capabilities", "max_concurrency", "requests_per_minute",
        "tokens_per_minute", "timeout", "max_retries", "model_path",
    ]
    static let capabilityKeys = [
        "output_limit", "json_schema", "json_object", "seed", "stop", "top_p", "penalties", "streaming", "stream_usage",
    ]

    /// Names of every provider: the built-in ones and those of `providers:`.
    public var providerNames: [String] {
        Array(Set(providers.keys).union(["openai", "local"])).sorted()
    }

    /// A provider by name: configured rows first, then the built-in `openai` and `local`.
    public func provider(named name: String) -> ProviderConfig? {
        if let configured = providers[name] { return configured }
        switch name {
        case "openai": return .openAI
        case "local": return .local
        default: return nil
        }
    }

    public static func parse(text: String, path: String = "quire.yaml") -> (QuireConfig, [Diagnostic]) {
        var config = QuireConfig()
        config.path = path
        let root: YAMLNode
        switch YAMLDocument.parse(text, file: path) {
        case .failure(let error): return (config, error.diagnostics)
        case .success(nil): return (config, [])
        case .success(let node?): root = node
        }
        var reader = YAMLReader(domain: "config")
        guard let fields = reader.mapping(root, "quire.yaml", allowed: topKeys) else { return (config, reader.diagnostics) }
        var providerNode: YAMLNode?
        for (key, pair) in fields {
            let value = pair.value
            switch key {
            case "provider":
                config.defaultProvider = reader.string(value, "'provider'")
                providerNode = value
            case "providers":
                guard let entries = reader.namedMapping(value, "'providers'") else { continue }
                for (name, p) in entries {
                    if let provider = parseProvider(name: name, node: p.value, at: p.key.location, reader: &reader) {
                        config.providers[name] = provider
                    }
                }
            case "defaults":
                if let entries = reader.mapping(value, "'defaults'", allowed: ModelParameters.keys) {
                    for (k, p) in entries { _ = ParameterReader.read(k, p.value, into: &config.defaults, reader: &reader) }
                }
            case "prices":
                guard let entries = reader.namedMapping(value, "'prices'") else { continue }
                for (model, p) in entries {
                    guard let priceFields = reader.mapping(p.value, "price of '\(model)'", allowed: ["input", "cached_input", "output"]) else { continue }
                    var input: Double?, cached: Double?, output: Double?
                    for (k, f) in priceFields {
                        var amount = reader.double(f.value, "'\(k)'")
                        if let value = amount, let problem = Price.problem(value) {
                            reader.error("parameter-range", "'\(k)' of '\(model)': \(problem)", at: f.value.location)
                            amount = nil
                        }
                        switch k {
                        case "input": input = amount
                        case "cached_input": cached = amount
                        default: output = amount
                        }
                    }
                    if let input, let output {
                        config.prices[model] = Price(input: input, cachedInput: cached, output: output)
                    } else {
                        // A field that is there but wrong has its own error; only absent ones are reported here.
                        let absent = ["input", "output"].filter { key in !priceFields.contains { $0.name == key } }
                        if !absent.isEmpty {
                            reader.error("missing-key", "price of '\(model)' needs \(absent.map { "'\($0)'" }.joined(separator: " and ")) (US dollars per 1M tokens)", at: p.value.location)
                        }
                    }
                }
            case "paths":
                guard let entries = reader.mapping(value, "'paths'", allowed: ["prompts", "workflows", "output", "golden"]) else { continue }
                for (k, p) in entries {
                    guard let dir = reader.string(p.value, "'\(k)'") else { continue }
                    if let problem = OutputPath.problem(dir), problem != "'\(dir)' is reserved for the run's own files" {
                        let problem = problem.replacingOccurrences(of: "run folder", with: "workspace")
                        reader.error("invalid-path", "invalid path '\(dir)': \(problem)", at: p.value.location)
                        continue
                    }
                    switch k {
                    case "prompts": config.paths.prompts = dir
                    case "workflows": config.paths.workflows = dir
                    case "output": config.paths.output = dir
                    default: config.paths.golden = dir
                    }
                }
            case "concurrency":
                if let n = reader.int(value, "'concurrency'") {
                    if n >= 1 { config.concurrency = n } else { reader.error("parameter-range", "'concurrency' must be at least 1, got \(n)", at: value.location) }
                }
            default: break
            }
        }
        if let name = config.defaultProvider, let node = providerNode, config.provider(named: name) == nil {
            reader.error("unknown-provider", "unknown provider '\(name)'", at: node.location, suggestion: Suggestions.didYouMean(name, in: config.providerNames))
        }
        return (config, reader.diagnostics)
    }

    static func parseProvider(name: String, node: YAMLNode, at location: SourceLocation, reader: inout YAMLReader) -> ProviderConfig? {
        guard let fields = reader.mapping(node, "provider '\(name)'", allowed: providerKeys) else { return nil }
        var provider = ProviderConfig(name: name, location: location)
        if name == "local" { provider = .local; provider.location = location }
        for (key, pair) in fields {
            let value = pair.value
            func positive(_ what: String) -> Int? {
                guard let n = reader.int(value, what) else { return nil }
                guard n >= 1 else { reader.error("parameter-range", "\(what) must be at least 1, got \(n)", at: value.location); return nil }
                return n
            }
            switch key {
            case "kind":
                if let text = reader.string(value, "'kind'") {
                    if let kind = ProviderConfig.Kind(rawValue: text) { provider.kind = kind } else {
                        reader.error("invalid-value", "'kind' must be 'openai' or 'local', got '\(text)'", at: value.location)
                    }
                }
            case "base_url":
                if let url = reader.string(value, "'base_url'") {
                    if url.hasPrefix("http://") || url.hasPrefix("https://") { provider.baseURL = url } else {
                        reader.error("invalid-value", "'base_url' must start with http:// or https://, got '\(url)'", at: value.location)
                    }
                }
            case "api_key_env":
                if let env = reader.string(value, "'api_key_env'") {
                    if env.hasPrefix("sk-") || env.count > 64 {
                        reader.error("secret-in-config", "'api_key_env' names an environment variable; it looks like a key was pasted here instead. Keep keys out of quire.yaml", at: value.location)
                    } else {
                        provider.apiKeyEnv = env
                    }
                }
            case "headers":
                guard let entries = reader.namedMapping(value, "'headers'") else { continue }
                for (header, h) in entries { if let v = reader.string(h.value, "header '\(header)'") { provider.headers[header] = v } }
            case "defaults":
                if let entries = reader.mapping(value, "'defaults'", allowed: ModelParameters.keys) {
                    for (k, p) in entries { _ = ParameterReader.read(k, p.value, into: &provider.defaults, reader: &reader) }
                }
            case "capabilities":
                guard let entries = reader.mapping(value, "'capabilities'", allowed: capabilityKeys) else { continue }
                for (k, p) in entries {
                    if k == "output_limit" {
                        if let text = reader.string(p.value, "'output_limit'") {
                            if ["max_tokens", "max_completion_tokens"].contains(text) { provider.capabilities.outputLimitParameter = text } else {
                                reader.error("invalid-value", "'output_limit' must be 'max_tokens' or 'max_completion_tokens', got '\(text)'", at: p.value.location)
                            }
                        }
                        continue
                    }
                    guard let flag = reader.bool(p.value, "'\(k)'") else { continue }
                    switch k {
                    case "json_schema": provider.capabilities.jsonSchema = flag
                    case "json_object": provider.capabilities.jsonObject = flag
                    case "seed": provider.capabilities.seed = flag
                    case "stop": provider.capabilities.stop = flag
                    case "top_p": provider.capabilities.topP = flag
                    case "penalties": provider.capabilities.penalties = flag
                    case "streaming": provider.capabilities.streaming = flag
                    default: provider.capabilities.streamUsage = flag
                    }
                }
            case "max_concurrency": provider.maxConcurrency = positive("'max_concurrency'")
            case "requests_per_minute": provider.requestsPerMinute = positive("'requests_per_minute'")
            case "tokens_per_minute": provider.tokensPerMinute = positive("'tokens_per_minute'")
            case "max_retries":
                if let n = reader.int(value, "'max_retries'") {
                    if n >= 0 { provider.maxRetries = n } else { reader.error("parameter-range", "'max_retries' cannot be negative", at: value.location) }
                }
            case "timeout":
                if let t = reader.double(value, "'timeout'") {
                    if t > 0 { provider.timeout = t } else { reader.error("parameter-range", "'timeout' must be positive (seconds)", at: value.location) }
                }
            case "model_path": provider.modelPath = reader.string(value, "'model_path'")
            default: break
            }
        }
        if provider.kind == .openai && provider.baseURL == nil && name != "openai" && !fields.contains(where: { $0.name == "base_url" }) {
            reader.error("missing-key", "provider '\(name)' needs a 'base_url'", at: location)
        }
        if provider.kind == .openai && provider.baseURL == nil { provider.baseURL = ProviderConfig.openAI.baseURL }
        if provider.kind == .openai && provider.apiKeyEnv == nil && name == "openai" { provider.apiKeyEnv = "OPENAI_API_KEY" }
        return provider
    }
}
