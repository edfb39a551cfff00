import ArgumentParser
import Foundation
import QuireCore
import QuireHistory

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: its steps, the prompt version behind each, and every model call.",
        discussion: """
            Per step: status, kind, the prompt's name@version and SHA-256, and the run it was reused from, if \
            any. Per call: model, status (refused: the budget did not let it be sent), tokens in and out (a cache \
            hit's in parentheses: not counted), latency, the model's finish reason, retries, cost and cache hit; \
            then each failed call's error. Then the run's totals. A unique prefix of a run id is enough.

            Examples:
              quire show 20261122-093015-3f2a1c
              quire show 20261122-093015-3f2a1c --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run id (see `quire runs`).")
    var runID: String

    @Flag(help: "Print the run as JSON on stdout.")
    var json = false

    func validate() throws {
        if runID.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("the run id is empty; give a run id, or a prefix only one run has (see `quire runs`)")
        }
    }

    func run() async throws {
        let history = try HistoryAccess(global: global)
        let record: HistoryRecord
        do {
            try history.refreshUnfinished()
            record = try history.record(runID)
        } catch let error as HistoryError {
            throw history.fail(error)
        }
        if json {
            Console.out(JSONText.encode(record.shownValue(run: HistoryAccess.json(record.run)), pretty: true))
        } else {
            Console.out(record.shownText(status: HistoryAccess.status(record.run)))
        }
    }
}
