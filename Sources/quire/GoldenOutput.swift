import Foundation
import QuireCore

/// Formats a `quire test` report for people: per case a line per step, notes and unified diffs under
/// the steps that did not pass, then the summary and the commands that accept the actual outputs.
enum GoldenOutput {
    static func text(_ report: GoldenReport, color: Bool, acceptSuffix: String) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func status(_ result: GoldenStepResult) -> String {
            let word = result.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            switch result.status {
            case .passed: return paint(word, "32")
            case .changed, .failed, .missing: return paint(word, "31")
            case .new, .stale: return paint(word, "33")
            case .skipped: return paint(word, "2")
            }
        }
        var lines: [String] = []
        for result in report.cases {
            lines.append(paint("\(result.workflow) · \(result.caseName) (\(result.source.rawValue))", "1"))
            for error in result.errors { lines.append("    " + paint("error: ", "31") + error) }
            for step in result.steps {
                var line = "  \(status(step)) \(step.step)"
                if let items = step.items { line += " (\(items) item\(items == 1 ? "" : "s"))" }
                if step.recorded { line += step.status == .new ? "" : " — recorded" }
                if let samples = step.samples { line += "  \(samples.passed)/\(samples.total) samples passed" }
                lines.append(line.replacingTrailingSpaces())
                guard !step.isSuccess, step.status != .new else { continue }
                for note in step.notes { lines.append("      " + note) }
                for diff in step.diffs {
                    lines.append(TextLines.split(DiffColor.paint(diff, color: color)).map { "    " + $0 }.joined(separator: "\n"))
                }
            }
        }
        lines.append("")
        lines.append(report.summary)
        let recorded = report.recordedFiles
        if recorded > 0 {
            lines.append("wrote \(recorded) golden file\(recorded == 1 ? "" : "s") (record mode '\(report.record.rawValue)'): review them, then run quire test again")
        }
        let commands = report.acceptCommands(suffix: acceptSuffix)
        if !commands.isEmpty {
            lines.append("actual outputs are in \(report.outputRoot)/; after review, accept them with:")
            lines += commands.map { "  " + $0 }
        }
        if report.cases.contains(where: { $0.source == .renderOnly && $0.steps.contains { $0.status == .changed } }) {
            lines.append("rendered requests changed: run `quire test --live` to get the new outputs for review")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
