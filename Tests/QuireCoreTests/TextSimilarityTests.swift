import QuireTestSupport
import Testing

@testable import QuireCore

/// Expected ratios were checked against `2 * LCS / (len(a) + len(b))` computed by a plain dynamic
/// program, and against Python's `difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()`, which
/// agrees on all of these.
@Suite("Text similarity")
struct TextSimilarityTests {
    struct Pair: CustomTestStringConvertible, Sendable {
        var a: String
        var b: String
        var ratio: Double
        var testDescription: String { "\(a.prefix(20)) ~ \(b.prefix(20))" }
    }

    @Test(
        "word ratio",
        arguments: [
            Pair(a: "the quick brown fox", b: "the quick red fox", ratio: 0.75),
            Pair(a: "a b c d", b: "d c b a", ratio: 0.25),
            Pair(a: "Hello, World!", b: "hello world", ratio: 1),
            Pair(
                a: "The plan: write tests, then code.", b: "Plan: write the tests; then write code!",
                ratio: 10.0 / 13.0),
            Pair(a: "", b: "", ratio: 1),
            Pair(a: "something", b: "", ratio: 0),
            Pair(a: "alpha beta", b: "gamma delta", ratio: 0),
            Pair(a: "...", b: "!!!", ratio: 1),
        ])
    func wordRatio(_ pair: Pair) {
        let result = TextSimilarity.words(pair.a, pair.b)
        #expect(abs(result.ratio - pair.ratio) < 1e-12)
        #expect(result.method == .lcs)
        #expect(abs(TextSimilarity.words(pair.b, pair.a).ratio - pair.ratio) < 1e-12, "symmetric")
    }

    @Test("character ratio")
    func characterRatio() {
        #expect(abs(TextSimilarity.characters("kitten", "sitting").ratio - 8.0 / 13.0) < 1e-12)
        #expect(TextSimilarity.characters("abc", "ABC").ratio == 0)
        #expect(TextSimilarity.characters("café", "cafe").ratio == 0.75)
    }

    @Test("tokens are lowercased runs of letters, digits and underscores")
    func tokens() {
        #expect(TextSimilarity.tokens("Don't panic!") == ["don", "t", "panic"])
        #expect(TextSimilarity.tokens("naïve café_1 — ÅB\n42") == ["naïve", "café_1", "åb", "42"])
        #expect(TextSimilarity.tokens("  ") == [])
    }

    @Test("past the cost limit: Dice coefficient capped by the reachable ratio")
    func fallback() {
        // Edit distance 6 > 2: Dice is 1 (same words), but at least 3 edits leave at most 5/8.
        let capped = TextSimilarity.words("a b c d", "d c b a", costLimit: 2)
        #expect(capped.method == .bagOfTokens)
        #expect(capped.ratio == 0.625)
        // Dice below the cap: 2 shared of 4 + 4 tokens.
        let dice = TextSimilarity.words("a b c d", "x b y a", costLimit: 1)
        #expect(dice.method == .bagOfTokens)
        #expect(dice.ratio == 0.5)
        #expect(TextSimilarity.words("a b", "a b", costLimit: 0).method == .lcs)
    }

    @Test("Dice coefficient counts repeated tokens once per occurrence")
    func dice() {
        #expect(TextSimilarity.diceCoefficient(["a", "a", "b"], ["a", "b", "b"]) == 4.0 / 6.0)
        #expect(TextSimilarity.diceCoefficient([String](), []) == 1)
    }

    @Test("10,000-word texts are compared exactly when similar and quickly when not")
    func largeTexts() {
        var random = SplitMix64(seed: 42)
        let words = (0..<10_000).map { _ in "w\(random.next(below: 3_000))" }
        var edited = words
        for i in stride(from: 0, to: 10_000, by: 100) { edited[i] = "changed" }
        let similar = TextSimilarity.words(words.joined(separator: " "), edited.joined(separator: " "))
        #expect(similar.method == .lcs)
        #expect(similar.ratio > 0.98 && similar.ratio < 1)

        let other = (0..<10_000).map { _ in "w\(random.next(below: 3_000))" }
        let unrelated = TextSimilarity.words(words.joined(separator: " "), other.joined(separator: " "))
        #expect(unrelated.method == .bagOfTokens)
        #expect(unrelated.ratio <= Double(20_000 - 2_001) / 20_000)
    }

    @Test("description shows the ratio and the method")
    func description() {
        #expect(Similarity(ratio: 10.0 / 13.0, method: .lcs).description == "0.7692 (lcs)")
        #expect(Similarity(ratio: 0.5, method: .bagOfTokens).description == "0.5 (bag-of-tokens)")
    }
}
