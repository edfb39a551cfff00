/// When `quire test` writes golden files (and the recordings that go with them), as in swift-snapshot-testing.
public enum RecordMode: String, Sendable, Hashable, CaseIterable {
    /// Write every golden, equal or not.
    case all
    /// Write goldens that are missing or differ.
    case failed
    /// Write goldens that do not exist yet (the default on a developer's machine).
    case missing
    /// Write nothing (the default when `CI` is set): a missing golden is a failure.
    case never

    /// The environment variable that sets the mode when `--record` is not given.
    public static let environmentVariable = "QUIRE_RECORD"

    /// The mode in force: the `--record` flag, then `QUIRE_RECORD`, then `never` when `CI` is set
    /// (to anything but an empty string, `0` or `false`), then `missing`.
    public static func resolve(flag: RecordMode?, environment: [String: String]) -> Result<RecordMode, Diagnostic> {
        if let flag { return .success(flag) }
        if let text = environment[environmentVariable], !text.isEmpty {
            guard let mode = RecordMode(rawValue: text.lowercased()) else {
                return .failure(.error(
                    "test.invalid-record-mode", "\(environmentVariable)=\(text) is not a record mode; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))",
                    suggestion: Suggestions.didYouMean(text, in: allCases.map(\.rawValue))))
            }
            return .success(mode)
        }
        if let ci = environment["CI"], !["", "0", "false"].contains(ci.lowercased()) { return .success(.never) }
        return .success(.missing)
    }

    /// Whether an output with this comparison result is written as the new golden.
    /// - Parameters:
    ///   - hasGolden: a golden file exists for the output.
    ///   - matches: the output matches it.
    public func writes(hasGolden: Bool, matches: Bool) -> Bool {
        switch self {
        case .all: true
        case .failed: !hasGolden || !matches
        case .missing: !hasGolden
        case .never: false
        }
    }
}
