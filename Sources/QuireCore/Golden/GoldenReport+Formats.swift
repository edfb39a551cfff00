extension GoldenReport {
    /// The report as JSON (`quire test --json`): a summary, every step's result and the accept commands.
    public func jsonValue(acceptSuffix: String = "") -> Value {
        let counts = counts
        var summary: [String: Value] = [:]
        for status in GoldenStepResult.Status.allCases { summary[status.rawValue] = .int(counts[status] ?? 0) }
        summary["cases"] = .int(cases.count)
        summary["steps"] = .int(cases.reduce(0) { $0 + $1.steps.count })
        summary["recorded_files"] = .int(recordedFiles)
        return [
            "success": .bool(success),
            "record_mode": .string(record.rawValue),
            "output": .string(outputRoot),
            "summary": .object(summary),
            "accept": .list(acceptCommands(suffix: acceptSuffix).map(Value.string)),
            "cases": .list(cases.map { result in
                var object: [String: Value] = [
                    "workflow": .string(result.workflow),
                    "case": .string(result.caseName),
                    "source": .string(result.source.rawValue),
                    "steps": .list(result.steps.map(\.jsonValue)),
                ]
                if let folder = result.outputFolder { object["output"] = .string(folder) }
                if !result.errors.isEmpty { object["errors"] = .list(result.errors.map(Value.string)) }
                return .object(object)
            }),
        ]
    }

    /// JUnit XML for CI: a `testsuite` per workflow, a `testcase` per case and step (`classname`
    /// `workflow.case`, `name` the step id). Changed, new, stale and missing goldens are failures, steps
    /// that produced no output are errors, steps not run are skipped. No timestamps, so the file is stable.
    public var junitXML: String {
        var workflows: [String] = []
        for result in cases where !workflows.contains(result.workflow) { workflows.append(result.workflow) }
        func counts(_ steps: [GoldenStepResult]) -> String {
            let failures = steps.count { !$0.isSuccess && ![.failed, .skipped].contains($0.status) }
            let errors = steps.count { $0.status == .failed }
            let skipped = steps.count { $0.status == .skipped }
            return "tests=\"\(steps.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\""
        }
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        lines.append("<testsuites name=\"quire test\" \(counts(cases.flatMap(\.steps)))>")
        for workflow in workflows {
            let group = cases.filter { $0.workflow == workflow }
            lines.append("  <testsuite name=\"\(XMLText.escape(workflow))\" \(counts(group.flatMap(\.steps)))>")
            for result in group {
                for step in result.steps {
                    var attributes = "classname=\"\(XMLText.escape("\(workflow).\(result.caseName)"))\" name=\"\(XMLText.escape(step.step))\""
                    if let file = step.files.first { attributes += " file=\"\(XMLText.escape(file))\"" }
                    let body = (result.errors + step.notes + step.diffs).joined(separator: "\n")
                    let message = step.status.rawValue + (step.recorded ? " (recorded)" : "")
                    if step.isSuccess {
                        lines.append("    <testcase \(attributes)/>")
                        continue
                    }
                    lines.append("    <testcase \(attributes)>")
                    switch step.status {
                    case .skipped:
                        lines.append("      <skipped message=\"\(XMLText.escape(step.notes.first ?? "skipped"))\"/>")
                    case .failed:
                        lines.append("      <error message=\"\(XMLText.escape(message))\" type=\"failed\">\(XMLText.escape(body))</error>")
                    default:
                        lines.append("      <failure message=\"\(XMLText.escape(message))\" type=\"\(step.status.rawValue)\">\(XMLText.escape(body))</failure>")
                    }
                    lines.append("    </testcase>")
                }
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension GoldenStepResult {
    public var jsonValue: Value {
        var object: [String: Value] = [
            "step": .string(step),
            "status": .string(status.rawValue),
            "recorded": .bool(recorded),
            "files": .list(files.map(Value.string)),
            "notes": .list(notes.map(Value.string)),
            "diffs": .list(diffs.map(Value.string)),
        ]
        if let items { object["items"] = .int(items) }
        if let samples { object["samples"] = ["passed": .int(samples.passed), "total": .int(samples.total)] }
        return .object(object)
    }
}

/// Escaping for XML 1.0 text and attribute values.
public enum XMLText {
    /// Escapes `& < > " '`, keeps tabs and line feeds, writes a carriage return as `&#13;` (a parser
    /// would turn a literal one into a line feed), and replaces characters XML 1.0 cannot hold (other
    /// control characters, such as the escape of an ANSI colour code) with U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
