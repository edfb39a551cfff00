import QuireTestSupport
import Testing
@testable import QuireCore

@Suite("JSON text")
struct JSONTextTests {
    @Test func encodesWithSortedKeysAndStableNumbers() {
        let value: Value = ["b": 1, "a": [true, .null, 2.5, "x\"y\n"], "c": 3.0]
        #expect(JSONText.encode(value, pretty: false) == #"{"a":[true,null,2.5,"x\"y\n"],"b":1,"c":3}"#)
    }

    @Test func prettyPrintsWithTwoSpacesAndSortedKeys() {
        let value: Value = ["z": [], "a": ["y": [1, ["k": "v"]], "x": [:]], "m": "tab\there \u{01} é"]
        #expect(
            JSONText.encode(value, pretty: true) == """
                {
                  "a": {
                    "x": {},
                    "y": [
                      1,
                      {
                        "k": "v"
                      }
                    ]
                  },
                  "m": "tab\\there \\u0001 é",
                  "z": []
                }
                """)
        #expect(JSONText.encode(value, pretty: true, indent: 4).contains("\n        \"x\": {}"))
    }

    @Test func escapesEveryControlCharacterAndKeepsMultiByteText() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar($0)! }))
        let text = "\"quoted\" back\\slash " + controls + " 𝄞 ü 日本 \u{7F}"
        let encoded = JSONText.encode(.string(text), pretty: false)
        #expect(!encoded.unicodeScalars.contains { $0.value < 0x20 })
        #expect(encoded.hasPrefix(#""\"quoted\" back\\slash \u0000\u0001"#))
        #expect(encoded.contains(#"\b\t\n\u000b\f\r\u000e"#))
        #expect(try JSONText.decode(encoded) == .string(text))
    }

    @Test func roundTripsGeneratedValues() throws {
        var generator = SplitMix64(seed: 7)
        let pieces = ["a", "é", "\n", "\"", "\\", "\u{1}", "𝄞", " ", "key", "\t", "日"]
        func text() -> String { (0..<generator.next(below: 5)).map { _ in pieces[generator.next(below: pieces.count)] }.joined() }
        func value(_ depth: Int) -> Value {
            switch generator.next(below: depth > 3 ? 5 : 7) {
            case 0: return .null
            case 1: return .bool(generator.next(below: 2) == 0)
            case 2: return .int(generator.next(below: 2_000_000) - 1_000_000)
            case 3: return .double(Double(generator.next(below: 10_000)) + 0.375)  // never whole: a whole double is written as an integer
            case 4: return .string(text())
            case 5: return .list((0..<generator.next(below: 4)).map { _ in value(depth + 1) })
            default:
                return .object(Dictionary((0..<generator.next(below: 4)).map { _ in (text(), value(depth + 1)) }, uniquingKeysWith: { a, _ in a }))
            }
        }
        for _ in 0..<300 {
            let original = value(0)
            for pretty in [false, true] {
                #expect(try JSONText.decode(JSONText.encode(original, pretty: pretty)) == original)
            }
        }
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
