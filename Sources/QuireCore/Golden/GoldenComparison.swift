/// Compares the text of one golden file with the text of the actual output under a ``CompareMode``.
public enum GoldenComparison {
    /// The result of comparing one file.
    public struct Verdict: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case equal, different
            /// The actual output cannot pass whatever the golden says (not JSON, or breaks the schema).
            case invalid
        }

        public var kind: Kind
        /// A unified diff from the golden to the actual output (in the form the mode compares), or "".
        public var diff: String
        /// What the mode measured or found: `similarity 0.62 < 0.8`, schema violations, a JSON error.
        public var notes: [String]

        public init(_ kind: Kind, diff: String = "", notes: [String] = []) {
            self.kind = kind
            self.diff = diff
            self.notes = notes
        }
    }

    /// - Parameters:
    ///   - golden: the golden file's text.
    ///   - actual: the actual output's text.
    ///   - goldenName: shown on the diff's `---` line.
    ///   - actualName: shown on the diff's `+++` line.
    public static func compare(golden: String, actual: String, mode: CompareMode, goldenName: String, actualName: String) -> Verdict {
        func diff(_ old: String, _ new: String) -> String {
            UnifiedDiff.make(old: old, new: new, oldName: goldenName, newName: actualName)
        }
        switch mode {
        case .exact:
            return golden == actual ? Verdict(.equal) : Verdict(.different, diff: diff(golden, actual))
        case .normalized(let normalizer):
            if normalizer.normalize(golden) == normalizer.normalize(actual) { return Verdict(.equal) }
            return Verdict(
                .different, diff: diff(normalizer.display(golden), normalizer.display(actual)),
                notes: ["compared normalized: whitespace collapsed, dates, UUIDs\(normalizer.scrubbers.isEmpty ? "" : " and the step's scrub patterns") replaced"])
        case .json(let schema):
            let value: Value
            do { value = try JSONText.decode(actual) } catch {
                return Verdict(.invalid, diff: diff(golden, actual), notes: ["the output is not valid JSON: \(error)"])
            }
            if let schema {
                let violations = schema.validate(value)
                if !violations.isEmpty {
                    let shown = violations.prefix(20).map(\.description)
                    return Verdict(.invalid, notes: ["the output does not match the compare schema: " + shown.joined(separator: "; ")])
                }
            }
            let canonicalActual = JSONText.encode(value, pretty: true) + "\n"
            guard let goldenValue = try? JSONText.decode(golden) else {
                return Verdict(.different, diff: diff(golden, canonicalActual), notes: ["the golden file is not valid JSON"])
            }
            let canonicalGolden = JSONText.encode(goldenValue, pretty: true) + "\n"
            if canonicalGolden == canonicalActual { return Verdict(.equal) }
            return Verdict(.different, diff: diff(canonicalGolden, canonicalActual), notes: ["compared as canonical JSON (sorted keys)"])
        case .similarity(let threshold):
            let similarity = TextSimilarity.words(golden, actual)
            let ratio = Self.format(similarity.ratio)
            if similarity.ratio >= threshold {
                return Verdict(.equal, notes: golden == actual ? [] : ["similarity \(ratio) ≥ \(Value.format(threshold))"])
            }
            return Verdict(.different, diff: diff(golden, actual), notes: ["similarity \(ratio) < \(Value.format(threshold)) (words, \(similarity.method.rawValue))"])
        }
    }

    /// A ratio with at most three decimals: `0.857`.
    static func format(_ ratio: Double) -> String {
        Value.format((ratio * 1000).rounded(.down) / 1000)
    }
}
