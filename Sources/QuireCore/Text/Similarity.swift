/// The result of a ``TextSimilarity`` comparison.
public struct Similarity: Sendable, Hashable, CustomStringConvertible {
    public enum Method: String, Sendable, Hashable {
        /// Exact: 2 × LCS / total tokens.
        case lcs
        /// The cost limit was reached: a bag-of-tokens Dice coefficient (an upper bound of the exact ratio).
        case bagOfTokens = "bag-of-tokens"
    }

    /// In 0…1.
    public var ratio: Double
    public var method: Method

    public init(ratio: Double, method: Method) {
        self.ratio = ratio
        self.method = method
    }

    /// `0.8571 (lcs)`.
    public var description: String {
        let scaled = (ratio * 10_000).rounded() / 10_000
        return "\(scaled) (\(method.rawValue))"
    }
}
