import ArgumentParser
import Foundation
import QuireCore
import QuireHistory

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs, newest first: status, duration, calls, tokens, cost and cache hits.",
        discussion: """
            Reads the run history, .quire/history.sqlite, which every `quire run` keeps up to date. A run whose \
            process was killed shows as `abandoned` (its manifest still says `running`); continue it with \
            `quire run WORKFLOW --resume RUN-ID`. Cost is `—` when no call's model has a known price, and ends \
            in `+` when some calls' cost is unknown.

            Examples:
              quire runs
              quire runs --workflow publishing-report --limit 5
              quire runs --json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only runs of this workflow.")
    var workflow: String?

    @Option(help: "At most this many runs.")
    var limit: Int = 20

    @Flag(help: "Print the runs as JSON on stdout.")
    var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let history = try HistoryAccess(global: global)
        let runs: [HistoryRun]
        let total: Int
        let warned: Bool
        do {
            try history.refreshUnfinished()
            warned = try history.warnIfNoRuns(ofWorkflow: workflow)
            runs = try history.database.runs(workflow: workflow, limit: limit)
            total = try history.database.runCount(workflow: workflow)
        } catch let error as HistoryError {
            throw history.fail(error)
        }
        if total > runs.count { Console.err("\(runs.count) of \(total) runs; --limit N shows more") }
        if json {
            Console.out(JSONText.encode(.list(runs.map(HistoryAccess.json)), pretty: true))
            return
        }
        guard total > 0 else {
            if warned { return }
            Console.err("no runs in \(HistoryDatabase.relativePath)\(workflow.map { " for workflow '\($0)'" } ?? ""); runs made before the history existed appear after `quire history rebuild`")
            return
        }
        var rows = [["RUN", "WORKFLOW", "STATUS", "STARTED (UTC)", "DURATION", "CALLS", "TOKENS", "COST", "CACHE HITS"]]
        for run in runs {
            rows.append([
                run.runID, run.workflow, HistoryAccess.status(run), HistoryFormat.time(run.startedAt),
                HistoryFormat.duration(milliseconds: run.durationMilliseconds), String(run.calls), String(run.totalTokens),
                HistoryFormat.cost(run.costUSD, unknownCalls: run.unknownCostCalls), String(run.cacheHits),
            ])
        }
        Console.out(HistoryFormat.table(rows, right: [4, 5, 6, 7, 8]))
    }
}
