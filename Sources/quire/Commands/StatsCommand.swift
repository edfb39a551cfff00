import ArgumentParser
import Foundation
import QuireCore
import QuireHistory

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Model calls across runs, grouped: count, tokens, latency (mean, p50, p95), cost, retries, cache hits.",
        discussion: """
            Every call that was sent counts, failed ones included (calls the budget refused do not); tokens are \
            those of calls that reached the provider (cache hits are counted apart); latency is each call's wall \
            time, retries and waits included; percentiles are nearest-rank. Cost adds up the calls with a known price; `+` (or \
            `unknown_cost_calls` in JSON) says how many calls had none. --since takes a date (2026-11-22, UTC), \
            a timestamp (2026-11-22T09:30:00Z) or a span back from now (30m, 12h, 7d).

            Examples:
              quire stats
              quire stats --by workflow --since 7d
              quire stats --by prompt --json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Group calls by model, workflow, step or prompt (default: model).")
    var by: StatsGrouping = .model

    @Option(help: ArgumentHelp("Only runs started at or after this date, timestamp or span (7d, 12h, 30m).", valueName: "date"))
    var since: String?

    @Option(help: "Only runs of this workflow.")
    var workflow: String?

    @Flag(help: "Print the statistics as JSON on stdout.")
    var json = false

    func validate() throws {
        if let since, Self.sinceTimestamp(since, now: Date()) == nil {
            throw ValidationError("--since '\(since)' is not a date (2026-11-22), a timestamp (2026-11-22T09:30:00Z) or a span (30m, 12h, 7d)")
        }
    }

    /// The earliest start time, as a manifest timestamp, or nil when `text` is not understood.
    static func sinceTimestamp(_ text: String, now: Date) -> String? {
        if let ms = ISOTimestamp.milliseconds(text) { return ISOTimestamp.string(milliseconds: ms) }
        guard let span = TimeSpan.milliseconds(text) else { return nil }
        return ISOTimestamp.string(milliseconds: Int(now.timeIntervalSince1970 * 1000) - span)
    }

    func run() async throws {
        let history = try HistoryAccess(global: global)
        let since = self.since.flatMap { Self.sinceTimestamp($0, now: Date()) }
        let stats: CallStatistics
        let warned: Bool
        do {
            try history.refreshUnfinished()
            warned = try history.warnIfNoRuns(ofWorkflow: workflow)
            stats = CallStatistics(samples: try history.database.samples(since: since, workflow: workflow), by: by.grouping)
        } catch let error as HistoryError {
            throw history.fail(error)
        }
        if json {
            guard case .object(var o) = stats.value else { return }
            o["since"] = since.map(Value.string) ?? .null
            o["workflow"] = workflow.map(Value.string) ?? .null
            Console.out(JSONText.encode(.object(o), pretty: true))
            return
        }
        guard stats.total.calls > 0 else {
            if warned { return }
            Console.err("no model calls in \(HistoryDatabase.relativePath)\(since.map { " since \($0)" } ?? "")")
            return
        }
        var rows = [[by.rawValue.uppercased(), "CALLS", "IN", "OUT", "MEAN", "P50", "P95", "COST", "RETRIES", "CACHE HITS"]]
        for group in stats.groups + [stats.total] {
            rows.append([
                group.key, String(group.calls), String(group.promptTokens), String(group.completionTokens),
                HistoryFormat.duration(milliseconds: group.meanLatencyMilliseconds.map { Int($0.rounded()) }),
                HistoryFormat.duration(milliseconds: group.p50LatencyMilliseconds),
                HistoryFormat.duration(milliseconds: group.p95LatencyMilliseconds),
                HistoryFormat.cost(group.costUSD, unknownCalls: group.unknownCostCalls), String(group.retries), String(group.cacheHits),
            ])
        }
        Console.out(HistoryFormat.table(rows, right: Set(1...9)))
    }
}

/// `--by`: what `quire stats` groups calls by.
enum StatsGrouping: String, CaseIterable, ExpressibleByArgument {
    case model, workflow, step, prompt

    var grouping: CallStatistics.Grouping {
        switch self {
        case .model: .model
        case .workflow: .workflow
        case .step: .step
        case .prompt: .prompt
        }
    }
}
