import Foundation
import QuireCore
import QuireTestSupport
import Testing

/// Steps a partial run (`quire run --from` / `--only`) reused: what `quire diff` and `quire show` say of them.
@Suite("CLI: reused steps in the history", .serialized)
struct HistoryReuseTests {
    @Test func aReusedStepComparesAsTheRunThatMadeItAndShowSaysSo() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        HistoryCommandTests.answer(server, titles: ["One", "Two"])
        let dir = try RunCommandTests.workspace(server: server)
        let full = try await CLI.run(["run", "publishing-report", "--var", "topic=Reuse"], in: dir.url)
        #expect(full.status == 0, "\(full.stderr)")
        let first = try await HistoryFiguresTests.json(CLI.run(["runs", "--json"], in: dir.url))
        let original = try #require(first.listValue?.first?.objectValue?["run_id"]?.stringValue)
        let partial = try await CLI.run(["run", "publishing-report", "--from", "sections", "--reuse", original], in: dir.url)
        #expect(partial.status == 0, "\(partial.stderr)")
        let runs = try await HistoryFiguresTests.json(CLI.run(["runs", "--json"], in: dir.url)).listValue?.compactMap(\.objectValue) ?? []
        let reusing = try #require(runs.first { $0["run_id"]?.stringValue != original }?["run_id"]?.stringValue)
        let manifest = try RunCommandTests.manifest(dir, try #require(runs.first { $0["run_id"]?.stringValue == reusing }?["folder"]?.stringValue))
        #expect(manifest["steps"]?.objectValue?["plan"]?.objectValue?["reused_from"]?.stringValue == original)

        // The plan was reused: it made no calls in the new run, and compares with the calls that made it.
        for (a, b) in [(original, reusing), (reusing, original)] {
            let diff = try await CLI.run(["diff", a, b], in: dir.url)
            #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
            #expect(diff.stdout.hasPrefix("runs \(a) and \(b) are identical"), "\(diff.stdout)")
            #expect(!diff.stdout.contains("(none)"), "\(diff.stdout)")
            #expect(diff.stdout.contains("step plan: same, reused from \(original) in \(reusing)"), "\(diff.stdout)")
            let json = try HistoryFiguresTests.json(await CLI.run(["diff", a, b, "--json"], in: dir.url)).objectValue
            #expect(json?["identical"] == true)
            let plan = json?["steps"]?.listValue?.compactMap(\.objectValue).first { $0["step"] == "plan" }
            #expect(plan?["parameters"] == .list([]))
            #expect(plan?["reused_from"]?.objectValue?[a == reusing ? "a" : "b"] == .string(original))
        }

        // A run whose plan differs in its parameters still shows that, against the reused step's origin.
        let workflow = try dir.read("workflows/publishing-report.yaml").replacingOccurrences(of: "    temperature: 0.2\n", with: "    temperature: 0.3\n")
        try dir.write(["workflows/publishing-report.yaml": workflow])
        let other = try await CLI.run(["run", "publishing-report", "--var", "topic=Reuse", "--out", "output/o"], in: dir.url)
        #expect(other.status == 0, "\(other.stderr)")
        let otherID = try #require(RunCommandTests.manifest(dir, "output/o")["run_id"]?.stringValue)
        let changed = try await CLI.run(["diff", reusing, otherID], in: dir.url)
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("step plan\n  reused from \(original) in \(reusing)\n"), "\(changed.stdout)")
        #expect(changed.stdout.contains("  parameter temperature: 0.2 → 0.3\n"), "\(changed.stdout)")
        #expect(!changed.stdout.contains("(none)"), "\(changed.stdout)")

        // quire show says where a reused step came from.
        let show = try await CLI.run(["show", reusing], in: dir.url).stdout
        #expect(show.contains("\nplan  succeeded  prompt  publishing-plan@v2"), "\(show)")
        #expect(show.contains("  reused from \(original): its calls are that run's\n"), "\(show)")
        let shown = try await HistoryFiguresTests.json(CLI.run(["show", reusing, "--json"], in: dir.url))
        let steps = shown.objectValue?["steps"]?.listValue?.compactMap(\.objectValue) ?? []
        #expect(steps.first { $0["id"] == "plan" }?["reused_from"] == .string(original))
        #expect(steps.first { $0["id"] == "sections" }?["reused_from"] == .null)
    }
}
