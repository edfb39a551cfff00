import QuireTestSupport
import Testing

/// The fake server's word count, which tests and benchmarks read as token counts, must not depend on
/// which path counts it.
@Suite("Fake server: word counts")
struct FakeReplyTests {
    /// The definition: words are the runs between `Character.isWhitespace` characters.
    private func reference(_ text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).count
    }

    @Test("the byte count of ASCII text agrees with splitting on whitespace characters")
    func asciiAgrees() {
        // Every ASCII byte, whitespace and separators (0x1C–0x1F are not whitespace) included.
        let alphabet = (0..<128).map { Character(Unicode.Scalar(UInt8($0))) }
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<2_000 {
            let length = generator.next(below: 40)
            let text = String((0..<length).map { _ in alphabet[generator.next(below: alphabet.count)] })
            #expect(FakeReply.tokenCount(text) == reference(text), "\(Array(text.utf8))")
        }
    }

    @Test("non-ASCII text is counted by characters", arguments: [
        "a\u{00A0}b", "a\u{2003}b\u{3000}c", "caf\u{00E9} au lait", " \u{0301}x", "\r\n\r\n", "word\u{2028}word", "",
    ])
    func nonASCII(text: String) {
        #expect(FakeReply.tokenCount(text) == reference(text))
    }

    @Test("words, not characters")
    func examples() {
        #expect(FakeReply.tokenCount("  one two\tthree\nfour  ") == 4)
        #expect(FakeReply.tokenCount("") == 0)
        #expect(FakeReply.tokenCount(" \n\t ") == 0)
    }
}
