/// The most a run may spend: `--max-cost` / `--max-tokens`, or `budget:` in the workflow file.
public struct RunBudget: Sendable, Hashable {
    /// US dollars over every model call of the run (cache hits cost nothing).
    public var maxCost: Double?
    /// Prompt plus completion tokens over every model call of the run (cache hits count nothing).
    public var maxTokens: Int?
    /// Where `budget:` is in the workflow file, for messages.
    public var location: SourceLocation?

    public init(maxCost: Double? = nil, maxTokens: Int? = nil, location: SourceLocation? = nil) {
        self.maxCost = maxCost
        self.maxTokens = maxTokens
        self.location = location
    }

    public var isEmpty: Bool { maxCost == nil && maxTokens == nil }

    /// The output tokens a call without `max_tokens` is assumed to need when estimating: its answer
    /// has no limit, so this is a stand-in, not a worst case. Set `max_tokens` for a real bound.
    public static let assumedOutputTokens = 4096

    /// Fields set in `self` (the command line) win; unset ones come from `lower` (the workflow file).
    public func merged(over lower: RunBudget?) -> RunBudget {
        RunBudget(maxCost: maxCost ?? lower?.maxCost, maxTokens: maxTokens ?? lower?.maxTokens, location: lower?.location)
    }

    /// A positive amount of US dollars as typed on a command line: `0.50`, `.5`, `12`, `$5`. Nothing
    /// else: not hexadecimal (`0x10`), exponents, `inf` or `nan`, which `Double("…")` would take.
    public static func dollarAmount(_ text: String) -> Double? {
        var digits = Substring(text)
        if digits.first == "$" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !digits.isEmpty, parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              parts.contains(where: { !$0.isEmpty }), let amount = Double(digits), amount > 0, amount.isFinite
        else { return nil }
        return amount
    }

    /// `$0.0123` with enough digits to tell small amounts apart.
    public static func dollars(_ amount: Double) -> String {
        guard amount.isFinite else { return "an unknown amount" }
        if amount == 0 { return "$0" }
        if abs(amount) >= 1e12 { return "$\(amount)" }
        if amount >= 100 { return "$" + fixed(amount, 2) }
        if amount >= 1 { return "$" + fixed(amount, 3) }
        return "$" + fixed(amount, 4 + max(0, Int((-amount.log10Floor).rounded(.down)) - 1))
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled) - whole * Int(scale)
        var text = String(fraction)
        while text.count < digits { text = "0" + text }
        while text.hasSuffix("0") && text.count > 2 { text.removeLast() }
        return digits == 0 ? String(whole) : "\(whole).\(text)"
    }
}

extension Double {
    /// ⌊log10(self)⌋ for positive values, without Foundation.
    fileprivate var log10Floor: Double {
        var value = self, exponent = 0.0
        while value < 1 && value > 0 { value *= 10; exponent -= 1 }
        while value >= 10 { value /= 10; exponent += 1 }
        return exponent
    }
}
