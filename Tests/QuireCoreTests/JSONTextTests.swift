import Testing
@testable import QuireCore

@Suite("JSON text")
struct JSONTextTests {
    @Test func encodesWithSortedKeysAndStableNumbers() {
        let value: Value = ["b": 1, "a": [true, .null, 2.5, "x\"y\n"], "c": 3.0]
        #expect(JSONText.encode(value, pretty: false) == #"{"a":[true,null,2.5,"x\"y\n"],"b":1,"c":3}"#)
    }

    @Test func roundTrips() throws {
        let text = #"{"a":[1,2.5,"é\u0001"],"b":{"c":null,"d":false}}"#
        let value = try JSONText.decode(text)
        #expect(JSONText.encode(value, pretty: false) == text)
    }

    @Test(arguments: [
        ("{\"a\": }", 1, 7), ("[1, 2", 1, 6), ("{\n  \"a\": tru\n}", 2, 8), ("\"abc", 1, 5), ("01", 1, 2),
    ])
    func reportsErrorPositions(text: String, line: Int, column: Int) {
        do {
            _ = try JSONText.decode(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.line == line)
            #expect(error.column == column)
        }
    }

    @Test func boundsNesting() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONText.decode(text) }
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONText.decode(#""\ud834\udd1e""#) == .string("𝄞"))
    }
}
