/// What models cost, in US dollars per 1M tokens: a built-in table of common OpenAI models, overridden
/// and extended by `prices:` in `quire.yaml`.
///
/// A dated model name (`gpt-4o-2024-08-06`) is priced as its family (`gpt-4o`) unless it has a row of
/// its own. A model with no row has no price: its cost is unknown, never guessed.
public struct PriceTable: Sendable, Hashable {
    public typealias Price = QuireConfig.Price

    /// When the built-in rows were taken from OpenAI's published prices (standard tier).
    public static let builtInDate = "2025-08-07"

    /// Standard-tier prices of OpenAI models as published on ``builtInDate``; `quire.yaml` overrides them.
    public static let builtIn: [String: Price] = [
        "gpt-5": Price(input: 1.25, cachedInput: 0.125, output: 10.00),
        "gpt-5-mini": Price(input: 0.25, cachedInput: 0.025, output: 2.00),
        "gpt-5-nano": Price(input: 0.05, cachedInput: 0.005, output: 0.40),
        "gpt-4.1": Price(input: 2.00, cachedInput: 0.50, output: 8.00),
        "gpt-4.1-mini": Price(input: 0.40, cachedInput: 0.10, output: 1.60),
        "gpt-4.1-nano": Price(input: 0.10, cachedInput: 0.025, output: 0.40),
        "gpt-4o": Price(input: 2.50, cachedInput: 1.25, output: 10.00),
        "gpt-4o-mini": Price(input: 0.15, cachedInput: 0.075, output: 0.60),
        "o3": Price(input: 2.00, cachedInput: 0.50, output: 8.00),
        "o3-mini": Price(input: 1.10, cachedInput: 0.55, output: 4.40),
        "o4-mini": Price(input: 1.10, cachedInput: 0.275, output: 4.40),
        "o1": Price(input: 15.00, cachedInput: 7.50, output: 60.00),
        "gpt-4-turbo": Price(input: 10.00, output: 30.00),
        "gpt-3.5-turbo": Price(input: 0.50, output: 1.50),
    ]

    /// Rows from `quire.yaml`, which win over the built-in ones.
    public var overrides: [String: Price]

    public init(overrides: [String: Price] = [:]) {
        self.overrides = overrides
    }

    /// The price of `model`: its own row (configured, then built-in), else its family's when the name
    /// ends in a date (`-2024-08-06`), else nil.
    public func price(for model: String) -> Price? {
        if let price = overrides[model] ?? Self.builtIn[model] { return price }
        if let family = Self.family(of: model) { return overrides[family] ?? Self.builtIn[family] }
        return nil
    }

    /// `gpt-4o-2024-08-06` → `gpt-4o`; nil for a name without a trailing `-YYYY-MM-DD`.
    public static func family(of model: String) -> String? {
        let utf8 = Array(model.utf8)
        guard utf8.count > 11 else { return nil }
        let tail = utf8[(utf8.count - 11)...]
        let pattern = Array("-dddd-dd-dd".utf8)
        for (byte, expected) in zip(tail, pattern) {
            if expected == UInt8(ascii: "d") {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            } else if byte != expected {
                return nil
            }
        }
        return String(decoding: utf8[..<(utf8.count - 11)], as: UTF8.self)
    }
}

extension QuireConfig.Price {
    /// The cost in US dollars of `usage`: uncached prompt tokens at the input price, cached ones at the
    /// cached-input price (the input price when there is none), completion tokens at the output price.
    public func cost(of usage: Usage) -> Double {
        let cached = min(max(0, usage.cachedTokens), usage.promptTokens)
        let uncached = usage.promptTokens - cached
        let dollars = Double(uncached) * input + Double(cached) * (cachedInput ?? input) + Double(usage.completionTokens) * output
        return dollars / 1_000_000
    }

    /// The most a call can cost: `promptTokens` uncached plus `completionTokens`.
    public func cost(prompt promptTokens: Int, completion completionTokens: Int) -> Double {
        (Double(promptTokens) * input + Double(completionTokens) * output) / 1_000_000
    }
}
