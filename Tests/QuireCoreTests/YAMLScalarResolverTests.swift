import Testing
import Yams
@testable import QuireCore

/// The hand-written scalar typing must agree with Yams' default (regular-expression) resolver, which
/// decided the types before: the same files must load to the same values.
@Suite("YAML plain scalars are typed as Yams' default resolver types them")
struct YAMLScalarResolverTests {
    static let corpus: [String] = [
        // null
        "", "~", "null", "Null", "NULL", "nULL", "nil", "None", "~~",
        // bool (YAML 1.1 spellings)
        "yes", "Yes", "YES", "yEs", "no", "No", "NO", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "y", "n", "Y", "N", "oN", "yes!", " yes",
        // int
        "0", "-0", "+0", "7", "42", "-42", "+42", "1_000", "1__", "007", "0_", "00", "08", "09", "0o17", "0o", "0o8",
        "-0o17", "0b1010", "0b", "0b102", "-0b1", "0x1F", "0xff_ff", "0x", "0xG", "-0x1", "+0xA",
        "1:30", "1:30:59", "1:60", "1:5", "1:05", "-1:30", "0:30", "1:", ":30", "1:305", "12_3:4",
        // float
        "1.5", "-1.5", "+1.5", "1.", "1._", "1.5e3", "1.5E-3", "1e5", "1e+5", "1e", "1.5e", ".5", "._", "+.5", "-.5",
        ".5e3", ".5e+3", ".5e-3", ".e3", ".", "..", "1.5.5", "1:30.5", "1:30.", "1:30.5:2", "-1:30.25", "1:30.5e3",
        ".inf", ".Inf", ".INF", "-.inf", "+.INF", ".iNF", "inf", ".nan", ".NaN", ".NAN", "-.nan", "nan", "09.5",
        "0x1.5", "1_0.0_1", "1e5_0",
        // strings that look close
        "<<", "=", "2026-11-22", "2026-11-22T10:00:00Z", "v1", "1.2.3", "10%", "$5", "1,000", "0.1.0",
        "gpt-4o", "1st", "e5", "E", "-", "+", "_", "12 ", "١٢", "１２", "é", "publishing-report",
    ]

    @Test(arguments: corpus)
    func agreesWithYams(_ text: String) {
        let expected: YAMLNode.ScalarTag
        switch Resolver.default.resolveTag(of: Node.scalar(.init(text))) {
        case .null: expected = .null
        case .bool: expected = .bool
        case .int: expected = .int
        case .float: expected = .float
        default: expected = .string
        }
        #expect(YAMLScalarResolver.tag(of: text) == expected, "'\(text)'")
    }

    @Test func quotedAndTaggedScalarsKeepTheirTag() throws {
        let text = "a: '12'\nb: \"yes\"\nc: !!str 12\nd: 12\ne: !!int '7'\nf: yes\ng: ~\nh: 1.5\n"
        guard case .success(let node?) = YAMLDocument.parse(text, file: "t.yaml"), case .mapping(let pairs) = node.kind else {
            Issue.record("did not parse")
            return
        }
        let tags = pairs.compactMap { pair -> String? in
            guard case .scalar(_, let tag) = pair.value.kind else { return nil }
            return "\(pair.key.scalarText ?? "?")=\(tag)"
        }
        #expect(tags == ["a=string", "b=string", "c=string", "d=int", "e=int", "f=bool", "g=null", "h=float"])
    }
}
