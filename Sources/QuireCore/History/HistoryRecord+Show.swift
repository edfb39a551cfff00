/// What `quire show RUN-ID` prints: the run, each step with its prompt, every call, and the totals.
extension HistoryRecord {
    /// The text form. `status` is the run's status as shown (`abandoned` for a running run whose process is gone).
    public func shownText(status: String) -> String {
        var out = "run \(run.runID) · \(run.workflow)\(run.caseName.map { " · case \($0)" } ?? "")\n"
        out += "status \(status) · started \(HistoryFormat.time(run.startedAt))"
        out += run.finishedAt.map { " · finished \(HistoryFormat.time($0))" } ?? ""
        out += " · \(HistoryFormat.duration(milliseconds: run.durationMilliseconds))"
        out += run.resumes > 0 ? " · resumed \(run.resumes)×" : ""
        out += "\nfolder \(run.folder)/\n"
        for step in steps {
            out += "\n\(step.stepID)  \(step.status)  \(step.kind)  \(step.promptID)"
            out += step.promptSHA256.isEmpty ? "" : " sha256:\(step.promptSHA256.prefix(12))"
            out += "\n"
            // Its output was copied from an earlier run, which made (and recorded) its calls.
            if let from = step.reusedFrom { out += "  reused from \(from): its calls are that run's\n" }
            if let error = step.error { out += "  error: \(error)\n" }
            let calls = self.calls.filter { $0.stepID == step.stepID }
            guard !calls.isEmpty else { continue }
            var rows = [["CALL", "MODEL", "STATUS", "IN", "OUT", "LATENCY", "FINISH", "RETRIES", "COST", "CACHE"]]
            for call in calls {
                // A cache hit's tokens are the original call's: shown in parentheses, never counted.
                // A refused call was never sent: it has no tokens and no latency.
                let tokens = { (n: Int) in call.isRefused ? "—" : call.cacheHit ? "(\(n))" : String(n) }
                // The finish reason is the model's; a call can end `stop` and still fail (its post-processing).
                rows.append([
                    call.label, call.model, call.isRefused ? "refused (not sent)" : call.status,
                    tokens(call.promptTokens), tokens(call.completionTokens),
                    call.isRefused ? "—" : HistoryFormat.duration(milliseconds: call.latencyMilliseconds),
                    call.finishReason ?? "—", String(call.retries),
                    HistoryFormat.cost(call.costUSD), call.cacheHit ? "hit" : "—",
                ])
            }
            out += HistoryFormat.table(rows, right: [3, 4, 5, 7, 8], indent: "  ") + "\n"
            // Every failed or refused call's own error: a fan-out's items can each fail their own way.
            for call in calls where call.status != "succeeded" {
                if let error = call.error { out += "  \(call.label): \(error)\n" }
            }
        }
        out += "\ntotal: \(run.calls) call\(run.calls == 1 ? "" : "s"), \(run.totalTokens) tokens (\(run.promptTokens) in + \(run.completionTokens) out), "
        out += "\(run.retries) retr\(run.retries == 1 ? "y" : "ies"), \(run.cacheHits) cache hit\(run.cacheHits == 1 ? "" : "s"), cost \(HistoryFormat.cost(run.costUSD, unknownCalls: run.unknownCostCalls))"
        if run.unknownCostCalls > 0 { out += " (\(run.unknownCostCalls) call\(run.unknownCostCalls == 1 ? "" : "s") of unknown cost)" }
        if calls.contains(where: \.cacheHit) {
            out += "\n(tokens in parentheses: a cache hit's original usage, not counted; nothing was sent)"
        }
        return out
    }

    /// The `--json` form; `run` is the run's object as `quire runs --json` gives it.
    public func shownValue(run: Value) -> Value {
        let steps: [Value] = steps.map { step in
            [
                "id": .string(step.stepID),
                "kind": .string(step.kind),
                "status": .string(step.status),
                "prompt": ["name": .string(step.promptName), "version": .int(step.promptVersion), "sha256": .string(step.promptSHA256)],
                "error": step.error.map(Value.string) ?? .null,
                "reused_from": step.reusedFrom.map(Value.string) ?? .null,
                "calls": .list(calls.filter { $0.stepID == step.stepID }.map(\.value)),
            ]
        }
        return ["run": run, "steps": .list(steps)]
    }
}
