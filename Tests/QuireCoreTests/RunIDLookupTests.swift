import Testing

@testable import QuireCore

@Suite("Run ids by prefix")
struct RunIDLookupTests {
    @Test func aWholeIDOrAUniquePrefixFindsTheRun() {
        #expect(RunIDLookup("20261206-0930", matches: ["20261206-093015-aaaaaa"]) == .found("20261206-093015-aaaaaa"))
        #expect(RunIDLookup("a", matches: ["ab", "a"]) == .found("a"))
        #expect(RunIDLookup("zz", matches: []) == .unknown)
    }

    @Test func anAmbiguousPrefixListsEveryRunOrTheFirstTen() {
        let six = (1...6).map { "20261206-09300\($0)" }
        #expect(RunIDLookup("20261206", matches: six) == .ambiguous(
            message: "'20261206' matches 6 runs; give more of the id: \(six.joined(separator: ", "))"))
        let twelve = (1...12).map { "r\($0)" }
        guard case .ambiguous(let message) = RunIDLookup("r", matches: twelve) else { Issue.record("ambiguous"); return }
        #expect(message == "'r' matches 12 runs; give more of the id: r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, … and 2 more")
    }
}
