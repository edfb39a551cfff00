import ArgumentParser
import Foundation
import QuireCore

@main
struct QuireCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static func main() async {
        // Under a file-size limit (`ulimit -f`), a write past it must fail with EFBIG and be reported
        // like a full disk, not kill quire with SIGXFSZ half-way through a run.
        signal(SIGXFSZ, SIG_IGN)
        await main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "quire",
        abstract: "Content-generation workflows from versioned prompt files, with golden-file regression tests.",
        discussion: """
            A workspace holds prompts/ (versioned prompt templates), workflows/ (YAML workflows that chain them) \
            and output/ (runs). Start with `quire init`, check it with `quire validate`, and see exactly what \
            a workflow would send with `quire render`.

            Exit codes: 0 success, 1 a run or regression failed, 64 bad invocation or invalid workspace files.

            Examples:
              quire init my-workspace
              quire validate
              quire render publishing-report --var topic="Structured concurrency in Swift"
              quire list --json
              quire test
              quire runs
            """,
        version: version,
        subcommands: [
            InitCommand.self, ValidateCommand.self, ListCommand.self, RenderCommand.self, RunCommand.self, TestCommand.self,
            AcceptCommand.self, RunsCommand.self, ShowCommand.self, StatsCommand.self, DiffCommand.self, HistoryCommand.self, CacheCommand.self,
            PromptsCommand.self, DoctorCommand.self, LocalCommand.self,
        ]
    )
}
