/// A span of time back from now, as users type it: `30m`, `12h`, `7d`, `2w` (`quire stats --since`,
/// `quire cache prune --older-than`).
public enum TimeSpan {
    static let unitMilliseconds: [Character: Int] = ["m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]

    /// The span in milliseconds, or nil when `text` is not a whole number (0 or more) followed by
    /// m, h, d or w.
    public static func milliseconds(_ text: String) -> Int? {
        guard let unit = text.last.flatMap({ unitMilliseconds[$0] }) else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let count = Int(digits) else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }
}
