import Testing
@testable import QuireCore

@Suite("Text helpers")
struct TextTests {
    @Test(arguments: [
        ("a\nb\n", ["a", "b"]), ("a\r\nb", ["a", "b"]), ("a\rb\r\n\r\nc", ["a", "b", "", "c"]), ("", []), ("\n", [""]),
    ])
    func splitsLinesWithAnyTerminator(text: String, lines: [String]) {
        #expect(TextLines.split(text) == lines)
    }

    @Test func normalizesNewlines() {
        #expect(TextLines.normalizingNewlines("a\r\nb\rc\n") == "a\nb\nc\n")
    }

    @Test(arguments: [
        ("temprature", ["temperature", "top_p"], "temperature"), ("max_token", ["max_tokens", "model"], "max_tokens"),
        ("xyz", ["temperature"], nil), ("Steps", ["steps"], "steps"), ("tpo_p", ["top_p"], "top_p"),
    ] as [(String, [String], String?)])
    func suggestsCloseNames(word: String, candidates: [String], expected: String?) {
        #expect(Suggestions.closest(to: word, in: candidates) == expected)
    }

    @Test func contentHashIsSHA256() {
        #expect(ContentHash.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
