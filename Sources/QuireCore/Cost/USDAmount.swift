/// US-dollar amounts as Quire writes them in JSON (manifests, the history, every `--json`).
///
/// Costs are sums of products of prices and token counts, which binary floating point rarely gets
/// exactly: `0.00010455000000000001` where the amount is $0.00010455. Ten significant digits are far
/// more than any price has, and few enough to drop that noise.
public enum USDAmount {
    public static let significantDigits = 10

    /// `amount` rounded to ``significantDigits`` significant digits: the double nearest that decimal,
    /// so it prints as it (`0.00010455`).
    public static func rounded(_ amount: Double) -> Double {
        guard amount.isFinite, amount != 0 else { return amount }
        var magnitude = amount.magnitude, exponent = 0
        while magnitude >= 10 { magnitude /= 10; exponent += 1 }
        while magnitude < 1 { magnitude *= 10; exponent -= 1 }
        // The digits as an integer, then the decimal `digits e power` read back: one correctly rounded
        // conversion, where dividing by a power of ten above 10^22 (not exact in a double) would not be.
        let power = exponent - (significantDigits - 1)
        let digits = (amount.magnitude * power10(-power)).rounded()
        guard digits.magnitude < 1e17, let value = Double("\(Int(digits))e\(power)") else { return amount }
        return amount < 0 ? -value : value
    }

    /// The JSON of an amount: the rounded number, or null when it is unknown.
    public static func value(_ amount: Double?) -> Value {
        amount.map { .double(rounded($0)) } ?? .null
    }

    /// 10^n for a whole n, exact while |n| ≤ 22.
    static func power10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n.magnitude { result *= 10 }
        return n < 0 ? 1 / result : result
    }
}
