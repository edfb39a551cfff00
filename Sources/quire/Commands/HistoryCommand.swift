import ArgumentParser
import Foundation
import QuireCore
import QuireHistory

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Manage the run history (.quire/history.sqlite).",
        subcommands: [Rebuild.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild",
            abstract: "Make the run history anew from the run folders' manifest.json files.",
            discussion: """
                Reads every manifest.json under the output folder, and those of the run folders the history \
                knew of (runs written with --out), journals included, and replaces the history with them in one \
                transaction. Running it twice gives the same history. A damaged database file is set aside as \
                .quire/history.sqlite.damaged first.

                Examples:
                  quire history rebuild
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print the summary as JSON on stdout.")
        var json = false

        func run() async throws {
            let (workspace, _) = try global.loadWorkspace()
            let rebuilder = HistoryRebuilder(workspaceRoot: try global.root(), outputFolder: workspace.config.paths.output)
            let summary: HistoryRebuilder.Summary
            do {
                summary = try rebuilder.rebuild()
            } catch {
                global.report([.error("history.unavailable", error.description)], sources: [:])
                throw ExitCodes.failure
            }
            if let aside = summary.setAside {
                global.report([.warning("history.damaged", "the damaged history was kept as \(aside)")], sources: [:])
            }
            global.report(summary.problems.map { .warning("history.unreadable-manifest", "skipped \($0)") }, sources: [:])
            if json {
                let value: Value = [
                    "path": .string(HistoryDatabase.relativePath),
                    "runs": .int(summary.runs),
                    "calls": .int(summary.calls),
                    "skipped": .list(summary.problems.map(Value.string)),
                    "damaged_file": summary.setAside.map(Value.string) ?? .null,
                ]
                Console.out(JSONText.encode(value, pretty: true))
            } else {
                Console.out("rebuilt \(HistoryDatabase.relativePath): \(summary.runs) run\(summary.runs == 1 ? "" : "s"), \(summary.calls) call\(summary.calls == 1 ? "" : "s")\(summary.problems.isEmpty ? "" : ", \(summary.problems.count) manifest\(summary.problems.count == 1 ? "" : "s") skipped")")
            }
        }
    }
}
