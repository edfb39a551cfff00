import ArgumentParser
import Foundation
import QuireCore
import QuireHistory

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: its steps, the prompt version behind each, and every model call.",
        discussion: """
            Per step: status, kind and the prompt's name@version and SHA-256. Per call: model, tokens in and out, \
            latency, finish reason, retries, cost and cache hit. Then the run's totals. A unique prefix of a run \
            id is enough.

            Examples:
              quire show 20261122-093015-3f2a1c
              quire show 20261122-093015-3f2a1c --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run id (see `quire runs`).")
    var runID: String

    @Flag(help: "Print the run as JSON on stdout.")
    var json = false

    func run() async throws {
        let history = try HistoryAccess(global: global)
        let record: HistoryRecord
        do {
            try history.refreshUnfinished()
            record = try history.record(runID)
        } catch let error as HistoryError {
            throw history.fail(error)
        }
        let run = record.run
        if json {
            let steps: [Value] = record.steps.map { step in
                [
                    "id": .string(step.stepID),
                    "kind": .string(step.kind),
                    "status": .string(step.status),
                    "prompt": ["name": .string(step.promptName), "version": .int(step.promptVersion), "sha256": .string(step.promptSHA256)],
                    "error": step.error.map(Value.string) ?? .null,
                    "calls": .list(record.calls.filter { $0.stepID == step.stepID }.map(Self.json)),
                ]
            }
            let value: Value = ["run": HistoryAccess.json(run), "steps": .list(steps)]
            Console.out(JSONText.encode(value, pretty: true))
            return
        }
        var out = "run \(run.runID) · \(run.workflow)\(run.caseName.map { " · case \($0)" } ?? "")\n"
        out += "status \(HistoryAccess.status(run)) · started \(HistoryFormat.time(run.startedAt))"
        out += run.finishedAt.map { " · finished \(HistoryFormat.time($0))" } ?? ""
        out += " · \(HistoryFormat.duration(milliseconds: run.durationMilliseconds))"
        out += run.resumes > 0 ? " · resumed \(run.resumes)×" : ""
        out += "\nfolder \(run.folder)/\n"
        for step in record.steps {
            out += "\n\(step.stepID)  \(step.status)  \(step.kind)  \(step.promptID)"
            out += step.promptSHA256.isEmpty ? "" : " sha256:\(step.promptSHA256.prefix(12))"
            out += "\n"
            if let error = step.error { out += "  error: \(error)\n" }
            let calls = record.calls.filter { $0.stepID == step.stepID }
            guard !calls.isEmpty else { continue }
            var rows = [["CALL", "MODEL", "IN", "OUT", "LATENCY", "FINISH", "RETRIES", "COST", "CACHE"]]
            for call in calls {
                rows.append([
                    call.label, call.model, String(call.promptTokens), String(call.completionTokens),
                    HistoryFormat.duration(milliseconds: call.latencyMilliseconds),
                    call.status == "succeeded" ? (call.finishReason ?? "—") : call.status, String(call.retries),
                    HistoryFormat.cost(call.costUSD), call.cacheHit ? "hit" : "—",
                ])
            }
            out += HistoryFormat.table(rows, right: [2, 3, 4, 6, 7], indent: "  ") + "\n"
        }
        out += "\ntotal: \(run.calls) call\(run.calls == 1 ? "" : "s"), \(run.totalTokens) tokens (\(run.promptTokens) in + \(run.completionTokens) out), "
        out += "\(run.retries) retr\(run.retries == 1 ? "y" : "ies"), \(run.cacheHits) cache hit\(run.cacheHits == 1 ? "" : "s"), cost \(HistoryFormat.cost(run.costUSD, unknownCalls: run.unknownCostCalls))"
        if run.unknownCostCalls > 0 { out += " (\(run.unknownCostCalls) call\(run.unknownCostCalls == 1 ? "" : "s") of unknown cost)" }
        Console.out(out)
    }

    static func json(_ call: HistoryCall) -> Value {
        [
            "item": call.item.map(Value.int) ?? .null,
            "status": .string(call.status),
            "provider": .string(call.provider),
            "model": .string(call.model),
            "prompt_tokens": .int(call.promptTokens),
            "completion_tokens": .int(call.completionTokens),
            "latency_ms": .int(call.latencyMilliseconds),
            "finish_reason": call.finishReason.map(Value.string) ?? .null,
            "retries": .int(call.retries),
            "cost_usd": call.costUSD.map(Value.double) ?? .null,
            "cache_hit": .bool(call.cacheHit),
            "parameters": (try? JSONText.decode(call.parametersJSON)) ?? .object([:]),
            "request_sha256": .string(call.requestSHA256),
        ]
    }
}
