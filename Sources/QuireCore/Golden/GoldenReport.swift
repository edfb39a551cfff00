import Foundation

/// Everything one `quire test` run found, ready to print as text, JSON or JUnit XML.
public struct GoldenReport: Sendable, Hashable {
    public var cases: [GoldenCaseResult]
    public var record: RecordMode
    /// The test-output root, workspace-relative (`.quire/test-output`).
    public var outputRoot: String

    public init(cases: [GoldenCaseResult], record: RecordMode, outputRoot: String) {
        self.cases = cases
        self.record = record
        self.outputRoot = outputRoot
    }

    /// Step results by status.
    public var counts: [GoldenStepResult.Status: Int] {
        var counts: [GoldenStepResult.Status: Int] = [:]
        for result in cases.flatMap(\.steps) { counts[result.status, default: 0] += 1 }
        return counts
    }

    /// Golden files written by this run.
    public var recordedFiles: Int {
        cases.flatMap(\.steps).filter(\.recorded).reduce(0) { $0 + $1.files.count }
    }

    /// Every step passed and nothing was written. A run that records goldens never succeeds.
    public var success: Bool {
        !cases.isEmpty && cases.allSatisfy { $0.steps.allSatisfy(\.isSuccess) }
    }

    /// `2 cases, 6 steps: 5 passed, 1 changed, 0 new, 0 stale, 0 missing` (+ failed, skipped when any).
    public var summary: String {
        let counts = counts
        let steps = cases.reduce(0) { $0 + $1.steps.count }
        var parts = [GoldenStepResult.Status.passed, .changed, .new, .stale, .missing].map { "\(counts[$0] ?? 0) \($0.rawValue)" }
        for status in [GoldenStepResult.Status.failed, .skipped] where (counts[status] ?? 0) > 0 {
            parts.append("\(counts[status]!) \(status.rawValue)")
        }
        return "\(cases.count) case\(cases.count == 1 ? "" : "s"), \(steps) step\(steps == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }

    /// The exact commands that accept every output that is not a golden yet: one per case, naming its steps.
    /// - Parameter suffix: appended to each command, e.g. ` -C path/to/workspace`.
    public func acceptCommands(suffix: String = "") -> [String] {
        cases.compactMap { result in
            guard result.source != .renderOnly else { return nil }
            let steps = result.steps.filter(\.isAcceptable).map(\.step)
            guard !steps.isEmpty else { return nil }
            let stepArguments = steps.map { "--step \(ShellWord.quote($0))" }.joined(separator: " ")
            return "quire accept \(ShellWord.quote(result.workflow)) --case \(ShellWord.quote(result.caseName)) \(stepArguments)\(suffix)"
        }
    }
}

/// Quoting for commands printed for a user to copy.
public enum ShellWord {
    /// The word as is when it is safe in a POSIX shell, else in single quotes.
    public static func quote(_ word: String) -> String {
        let safe = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./=:@%+,".unicodeScalars.contains($0)
        }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
