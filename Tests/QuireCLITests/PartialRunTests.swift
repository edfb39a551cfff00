import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// `quire run --from STEP` / `--only STEP` against the fake server: which calls are made again, what is reused.
@Suite("CLI: partial runs", .serialized)
struct PartialRunTests {
    static let key = ["FAKE_API_KEY": "sk-good-key-0000"]

    /// Plans answer with `titles`; sections answer with `prefix` and their title.
    static func answer(_ server: FakeOpenAIServer, titles: [String], sections prefix: String) {
        server.setResponder { request in
            if request.messages.first?.content.contains(RunCommandTests.planMarker) == true {
                return FakeResponse(titles.map { "- \($0)" }.joined(separator: "\n"))
            }
            let title = titles.first { request.lastUserMessage.contains("\"\($0)\"") } ?? "?"
            return FakeResponse("\(prefix) text about \(title).")
        }
    }

    /// Runs the whole workflow and returns its run id (from the report path on stdout).
    static func fullRun(_ dir: TemporaryDirectory, environment: [String: String] = key, expecting status: Int32 = 0) async throws -> String {
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=Partial runs"], in: dir.url, environment: environment)
        #expect(result.status == status, "\(result.stderr)")
        let line = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("run ") })
        return String(line.dropFirst(4).prefix { $0 != " " })
    }

    static func folder(_ id: String) -> String { "output/publishing-report/\(id)" }

    static func runIDs(_ dir: TemporaryDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("output/publishing-report").path)) ?? []).sorted()
    }

    static func step(_ manifest: [String: Value], _ id: String) -> [String: Value] {
        manifest["steps"]?.objectValue?[id]?.objectValue ?? [:]
    }

    @Test func fromSectionsRerunsTheSectionsAndTheReportAndReusesThePlan() async throws {
        let server = FakeOpenAIServer(apiKey: Self.key["FAKE_API_KEY"])
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["Alpha", "Beta", "Gamma"], sections: "OLD")
        let dir = try RunCommandTests.workspace(server: server)
        let first = try await Self.fullRun(dir)
        #expect(server.chatRequestCount == 4)
        let firstReport = try dir.read("\(Self.folder(first))/report.md")
        let firstManifest = try dir.read("\(Self.folder(first))/manifest.json")
        #expect(firstReport.contains("OLD text about Beta."))

        // The section writer changed (here: its answers); re-run from there.
        Self.answer(server, titles: ["Alpha", "Beta", "Gamma"], sections: "NEW")
        server.resetRecords()
        let result = try await CLI.run(["run", "publishing-report", "--from", "sections"], in: dir.url, environment: Self.key)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.chatRequestCount == 3, "one call per section, none for the plan")
        #expect(!server.chatRequests.contains { $0.messages.first?.content.contains(RunCommandTests.planMarker) == true })
        #expect(result.stderr.contains("reusing run \(first) (the newest run of 'publishing-report' with step 'plan' succeeded)"))
        #expect(result.stderr.contains("plan: reused from run \(first)"))
        #expect(result.stderr.contains("sections: running 3 items"))

        let second = try #require(Self.runIDs(dir).first { $0 != first })
        #expect(result.stdout == "\(Self.folder(second))/report.md\n")
        let report = try dir.read("\(Self.folder(second))/report.md")
        for title in ["Alpha", "Beta", "Gamma"] { #expect(report.contains("NEW text about \(title).")) }
        #expect(!report.contains("OLD"))
        // The earlier run is untouched.
        #expect(try dir.read("\(Self.folder(first))/report.md") == firstReport)
        #expect(try dir.read("\(Self.folder(first))/manifest.json") == firstManifest)

        // The new folder is complete: the plan's files were copied, and the manifest says where they came from.
        #expect(try dir.read("\(Self.folder(second))/steps/plan.json") == dir.read("\(Self.folder(first))/steps/plan.json"))
        #expect(try dir.read("\(Self.folder(second))/steps/plan.raw.txt") == dir.read("\(Self.folder(first))/steps/plan.raw.txt"))
        let manifest = try RunCommandTests.manifest(dir, Self.folder(second))
        let earlier = try RunCommandTests.manifest(dir, Self.folder(first))
        #expect(manifest["status"] == "succeeded")
        #expect(manifest["reuses_run"] == .string(first))
        #expect(manifest["inputs"] == earlier["inputs"])
        let plan = Self.step(manifest, "plan")
        #expect(plan["status"] == "succeeded")
        #expect(plan["reused_from"] == .string(first))
        #expect(plan["calls"] == .list([]))
        #expect(plan["prompt"] == Self.step(earlier, "plan")["prompt"])
        #expect(Self.step(manifest, "sections")["reused_from"] == nil)
        #expect(Self.step(manifest, "sections")["calls"]?.listValue?.count == 3)
        #expect(manifest["calls"] == 3)
        #expect(earlier["reuses_run"] == nil)
    }

    @Test func onlyPlanMakesOneCallAndWarnsThatItsDependentsWereReused() async throws {
        let server = FakeOpenAIServer(apiKey: Self.key["FAKE_API_KEY"])
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["Alpha", "Beta"], sections: "OLD")
        let dir = try RunCommandTests.workspace(server: server)
        let first = try await Self.fullRun(dir)
        // The section writer's prompt is edited after the run: its reused output was made with the old one.
        let promptPath = "prompts/section-writer/v1.prompt"
        try dir.write([promptPath: try dir.read(promptPath) + "\nKeep it short.\n"])
        server.resetRecords()

        let result = try await CLI.run(["run", "publishing-report", "--only", "plan", "--reuse", first], in: dir.url, environment: Self.key)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.chatRequestCount == 1)
        #expect(server.chatRequests.first?.messages.first?.content.contains(RunCommandTests.planMarker) == true)
        #expect(result.stderr.contains("warning: 'sections', 'report' depend on 'plan' but are reused as they were, made from the earlier output [run.reused-downstream]"))
        #expect(result.stderr.contains("help: to re-run them too, use --from plan"))
        #expect(result.stderr.contains("prompt section-writer@v1 (prompts/section-writer/v1.prompt) changed since run \(first) made the reused output of step 'sections'"))
        #expect(result.stderr.contains("[run.reused-prompt-changed]"))
        #expect(!result.stderr.contains("reusing run"), "--reuse names the run: nothing to pick")

        let second = try #require(Self.runIDs(dir).first { $0 != first })
        let manifest = try RunCommandTests.manifest(dir, Self.folder(second))
        #expect(manifest["reuses_run"] == .string(first))
        for id in ["sections", "report"] {
            #expect(Self.step(manifest, id)["reused_from"] == .string(first))
            #expect(Self.step(manifest, id)["calls"] == .list([]))
        }
        #expect(Self.step(manifest, "plan")["calls"]?.listValue?.count == 1)
        // The reused report is the artifact again; the sections' files were copied.
        #expect(try dir.read("\(Self.folder(second))/report.md") == dir.read("\(Self.folder(first))/report.md"))
        #expect(try dir.read("\(Self.folder(second))/steps/sections/002.txt") == "OLD text about Beta.")
        // The new run is complete on its own: resuming it has nothing to do.
        let resumed = try await CLI.run(["run", "publishing-report", "--resume", second], in: dir.url, environment: Self.key)
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("already succeeded"))
        #expect(server.chatRequestCount == 1)
    }

    /// `--from` is repeatable and re-runs the union: following the warning's advice re-runs what it says.
    @Test func repeatedFromRerunsEveryNamedStepAndItsDependents() async throws {
        let server = FakeOpenAIServer(apiKey: Self.key["FAKE_API_KEY"])
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["Alpha", "Beta"], sections: "OLD")
        let dir = try RunCommandTests.workspace(server: server)
        let first = try await Self.fullRun(dir)
        server.resetRecords()

        let result = try await CLI.run(["run", "publishing-report", "--from", "plan", "--from", "report", "--reuse", first], in: dir.url, environment: Self.key)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("reused from"), "nothing is reused: \(result.stderr)")
        #expect(server.chatRequestCount == 3, "the plan and both sections are asked again")
        let second = try #require(Self.runIDs(dir).first { $0 != first })
        let manifest = try RunCommandTests.manifest(dir, Self.folder(second))
        for id in ["plan", "sections", "report"] { #expect(Self.step(manifest, id)["reused_from"] == nil, "\(id)") }
    }

    @Test func badPartialRunsExit64AndSendNothing() async throws {
        let server = FakeOpenAIServer(apiKey: Self.key["FAKE_API_KEY"])
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["Alpha"], sections: "OLD")
        let dir = try RunCommandTests.workspace(server: server)

        let none = try await CLI.run(["run", "publishing-report", "--from", "sections"], in: dir.url, environment: Self.key)
        #expect(none.status == 64)
        #expect(none.stderr.contains("error: no earlier run of workflow 'publishing-report' in output/publishing-report/ to take 'plan' from"))
        #expect(none.stderr.contains("[run.no-reusable-run]"))

        let good = try await Self.fullRun(dir)
        let failed = try await Self.fullRun(dir, environment: ["FAKE_API_KEY": "sk-wrong-key-1111"], expecting: 1)
        server.resetRecords()
        let before = Self.runIDs(dir)
        #expect(before.count == 2)

        func expectUsageError(_ args: [String], _ texts: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
            let result = try await CLI.run(["run"] + args, in: dir.url, environment: Self.key)
            #expect(result.status == 64, "\(args): \(result.stderr)", sourceLocation: sourceLocation)
            for text in texts { #expect(result.stderr.contains(text), "\(args): \(result.stderr)", sourceLocation: sourceLocation) }
        }
        try await expectUsageError(["publishing-report", "--from", "sectoins"], ["error: --from sectoins: workflow 'publishing-report' has no step 'sectoins' [run.unknown-step]", "help: did you mean 'sections'?"])
        try await expectUsageError(["publishing-report", "--only", "plam"], ["did you mean 'plan'?"])
        try await expectUsageError(["publishing-report", "--from", "sections", "--reuse", failed], [
            "workflows/publishing-report.yaml:10:", "error: step 'plan' would be reused but failed in run \(failed) [run.reuse-not-succeeded]",
            "help: re-run it too: add --only plan, or start earlier with --from plan",
        ])
        try await expectUsageError(["publishing-report", "--from", "sections", "--reuse", "20991231-000000-ffff"], ["[run.not-found]"])
        try await expectUsageError(["publishing-report", "--from", "sections", "--reuse", "not an id"], ["[run.invalid-run-id]"])
        try await expectUsageError(["review-digest", "--from", "digest", "--reuse", good], ["run \(good) is a run of workflow 'publishing-report', not 'review-digest' [run.reuse-other-workflow]"])
        try await expectUsageError(["publishing-report", "--from", "sections", "--resume", good], ["cannot be combined with --resume"])
        try await expectUsageError(["publishing-report", "--reuse", good], ["use it with --from or --only"])
        try await expectUsageError(["publishing-report", "--from", "sections", "--reuse", good, "--out", Self.folder(good)], ["[run.invalid-out]"])
        try await expectUsageError(["publishing-report", "--from", "sections", "--reuse", "../../etc"], ["error: --reuse: invalid run folder '../../etc'", "[run.invalid-reuse]"])
        let common = String(zip(good, failed).prefix { $0 == $1 }.map(\.0))
        if common.count >= 4 {
            try await expectUsageError(["publishing-report", "--from", "sections", "--reuse", common], ["error: --reuse: '\(common)' matches 2 runs; give more of the id: \([good, failed].sorted(by: >).joined(separator: ", ")) (in output/publishing-report/)", "[run.ambiguous-run-id]"])
        }
        #expect(server.chatRequestCount == 0)
        #expect(Self.runIDs(dir) == before, "no run folder was made")

        // A run id may be shortened as long as it names one run.
        let shortened = try await CLI.run(["run", "publishing-report", "--from", "report", "--reuse", String(good.dropLast())], in: dir.url, environment: Self.key)
        #expect(shortened.status == 0, "\(shortened.stderr)")
        let newest = try #require(Self.runIDs(dir).first { !before.contains($0) })
        #expect(try RunCommandTests.manifest(dir, Self.folder(newest))["reuses_run"] == .string(good))
        try FileManager.default.removeItem(at: dir.url.appendingPathComponent(Self.folder(newest)))

        // The default skips the newer failed run.
        let picked = try await CLI.run(["run", "publishing-report", "--from", "report"], in: dir.url, environment: Self.key)
        #expect(picked.status == 0, "\(picked.stderr)")
        #expect(picked.stderr.contains("reusing run \(good) "))
        #expect(server.chatRequestCount == 0, "the report is a template step")
    }

    @Test func varsOverrideTheEarlierInputsWithAWarning() async throws {
        let server = FakeOpenAIServer(apiKey: Self.key["FAKE_API_KEY"])
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["Alpha"], sections: "OLD")
        let dir = try RunCommandTests.workspace(server: server)
        let first = try await Self.fullRun(dir)
        server.resetRecords()
        let result = try await CLI.run(["run", "publishing-report", "--from", "sections", "--var", "audience=managers"], in: dir.url, environment: Self.key)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("input 'audience' differs from run \(first); the reused steps (plan) keep the outputs made with the earlier inputs"))
        #expect(server.chatRequests.first?.messages.first?.content.contains("for managers") == true, "the re-run sections see the new audience")
        let second = try #require(Self.runIDs(dir).first { $0 != first })
        let manifest = try RunCommandTests.manifest(dir, Self.folder(second))
        #expect(manifest["inputs"]?.objectValue?["audience"] == "managers")
        #expect(manifest["inputs"]?.objectValue?["topic"] == "Partial runs")
    }

    @Test func aFailedRerunLeavesTheReusedStepsReusedAndResumable() async throws {
        let server = FakeOpenAIServer(apiKey: Self.key["FAKE_API_KEY"])
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server, titles: ["Alpha"], sections: "OLD")
        let dir = try RunCommandTests.workspace(server: server)
        let first = try await Self.fullRun(dir)
        let failed = try await CLI.run(["run", "publishing-report", "--only", "plan"], in: dir.url, environment: ["FAKE_API_KEY": "sk-wrong-key-1111"])
        #expect(failed.status == 1)
        #expect(!failed.stderr.contains("skipped"), "reused steps need nothing to run: \(failed.stderr)")
        let second = try #require(Self.runIDs(dir).first { $0 != first })
        let manifest = try RunCommandTests.manifest(dir, Self.folder(second))
        #expect(manifest["status"] == "failed")
        #expect(Self.step(manifest, "plan")["status"] == "failed")
        #expect(Self.step(manifest, "sections")["status"] == "succeeded")
        #expect(Self.step(manifest, "sections")["reused_from"] == .string(first))
        server.resetRecords()
        let resumed = try await CLI.run(["run", "publishing-report", "--resume", second], in: dir.url, environment: Self.key)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(server.chatRequestCount == 1, "only the plan is sent again")
        #expect(resumed.stderr.contains("sections: reused from run \(first)"))
    }
}
