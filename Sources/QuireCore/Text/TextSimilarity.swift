/// A deterministic similarity ratio between two texts, for comparing live-model output with a golden
/// file when exact equality is too strict. No model is involved.
///
/// ## What it computes
/// Both texts are cut into tokens (``tokens(_:)``: words, lowercased, punctuation ignored; or
/// Unicode characters for ``characters(_:_:costLimit:)``). The ratio is
///
///     2 × LCS(a, b) / (|a| + |b|)
///
/// where LCS is the length of a longest common subsequence of the two token sequences: 1 for equal
/// sequences (and for two empty ones), 0 when no token is shared. It is symmetric, and it is what
/// Python's `difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()` computes whenever its greedy
/// longest-block matching happens to find an LCS (it can find less, never more).
///
/// The LCS comes from the edit distance D found by Myers' algorithm (LCS = (|a| + |b| − D) / 2), in
/// O((|a| + |b|) · D) time. When D would exceed `costLimit`, the search stops and the result is the
/// bag-of-tokens Dice coefficient (2 × |multiset intersection| / (|a| + |b|)), capped by the best
/// ratio still possible given that D > `costLimit`; ``Similarity/method`` says which one you got.
/// Both are upper bounds of the exact ratio, so the fallback never reports a pair as less similar than it is.
public enum TextSimilarity {
    /// The edit distance at which the exact search gives up. 10,000-word texts that differ in a few
    /// hundred words are always exact; unrelated texts of that size fall back in milliseconds.
    public static let defaultCostLimit = 2_000

    /// Word-level similarity (case-insensitive, punctuation and whitespace ignored).
    public static func words(_ a: String, _ b: String, costLimit: Int = defaultCostLimit) -> Similarity {
        similarity(tokens(a), tokens(b), costLimit: costLimit)
    }

    /// Character-level similarity over Unicode characters (grapheme clusters), case-sensitive.
    public static func characters(_ a: String, _ b: String, costLimit: Int = defaultCostLimit) -> Similarity {
        similarity(a.map { String($0) }, b.map { String($0) }, costLimit: costLimit)
    }

    /// Word tokens: maximal runs of letters, digits and `_`, lowercased. `"Don't panic!"` → `["don", "t", "panic"]`.
    public static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else if !current.isEmpty {
                result.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { result.append(current.lowercased()) }
        return result
    }

    /// The similarity of two token sequences, as described on ``TextSimilarity``.
    public static func similarity<T: Hashable>(_ a: [T], _ b: [T], costLimit: Int = defaultCostLimit) -> Similarity {
        let total = a.count + b.count
        if total == 0 { return Similarity(ratio: 1, method: .lcs) }
        var ids: [T: Int] = [:]
        func id(_ token: T) -> Int {
            if let existing = ids[token] { return existing }
            let next = ids.count
            ids[token] = next
            return next
        }
        let x = a.map(id), y = b.map(id)
        if let distance = MyersDiff.editDistance(x, y, maxCost: max(0, costLimit)) {
            return Similarity(ratio: Double(total - distance) / Double(total), method: .lcs)
        }
        let dice = diceCoefficient(x, y)
        let bound = Double(total - (costLimit + 1)) / Double(total)
        return Similarity(ratio: max(0, min(dice, bound)), method: .bagOfTokens)
    }

    /// 2 × |multiset intersection| / (|a| + |b|); 1 for two empty sequences.
    public static func diceCoefficient<T: Hashable>(_ a: [T], _ b: [T]) -> Double {
        let total = a.count + b.count
        if total == 0 { return 1 }
        var counts: [T: Int] = [:]
        for token in a { counts[token, default: 0] += 1 }
        var shared = 0
        for token in b {
            if let count = counts[token], count > 0 {
                counts[token] = count - 1
                shared += 1
            }
        }
        return Double(2 * shared) / Double(total)
    }
}
