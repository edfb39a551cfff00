import Foundation
import QuireCore
import QuireTestSupport
import Testing

/// Finding runs in the history: prefixes, missing folders, and what `quire runs` leaves out.
@Suite("CLI: finding runs in the history", .serialized)
struct HistoryLookupTests {
    /// A workspace whose history holds `count` runs started one second apart on 2026-12-06
    /// (`20261206-0930SS-<n>`), rebuilt from their manifests.
    static func workspace(runs count: Int, workflow: String = "publishing-report") async throws -> (TemporaryDirectory, [String]) {
        let dir = try TemporaryDirectory()
        var files = ExampleWorkspace.files
        var ids: [String] = []
        for n in 0..<count {
            let second = n < 10 ? "0\(n)" : "\(n)"
            let id = "20261206-0930\(second)-00000\(n % 10)"
            ids.append(id)
            var manifest = HistoryFiguresTests.manifest(runID: id, startedAt: "2026-12-06T09:30:\(second).000Z", costs: [0.001]).objectValue!
            manifest["workflow"] = ["name": .string(workflow), "path": .string("workflows/\(workflow).yaml"), "sha256": "x"]
            files["output/\(workflow)/\(id)/manifest.json"] = JSONText.encode(.object(manifest), pretty: true)
        }
        try dir.write(files)
        let rebuilt = try await CLI.run(["history", "rebuild"], in: dir.url)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        return (dir, ids)
    }

    @Test func anAmbiguousPrefixSaysHowManyRunsItMatchesAndListsThem() async throws {
        let (dir, ids) = try await Self.workspace(runs: 6)
        let show = try await CLI.run(["show", "20261206"], in: dir.url)
        #expect(show.status == 64)
        #expect(show.stderr.contains("'20261206' matches 6 runs; give more of the id: "), "\(show.stderr)")
        #expect(!show.stderr.contains("no run"), "\(show.stderr)")
        for id in ids { #expect(show.stderr.contains(id), "all six are listed: \(show.stderr)") }
        #expect(show.stderr.contains("[history.unknown-run]"))
        let diff = try await CLI.run(["diff", "20261206", ids[0]], in: dir.url)
        #expect(diff.status == 64)
        #expect(diff.stderr.contains("'20261206' matches 6 runs"), "\(diff.stderr)")
        // A prefix only one run has is enough.
        let unique = try await CLI.run(["show", String(ids[5].prefix(15))], in: dir.url)
        #expect(unique.status == 0, "\(unique.stderr)")
        #expect(unique.stdout.hasPrefix("run \(ids[5]) "))

        let (many, manyIDs) = try await Self.workspace(runs: 13)
        let listed = try await CLI.run(["show", "2026"], in: many.url)
        #expect(listed.stderr.contains("'2026' matches 13 runs; give more of the id: "), "\(listed.stderr)")
        #expect(listed.stderr.contains(", … and 3 more"), "\(listed.stderr)")
        #expect(listed.stderr.contains(manyIDs[12]) && !listed.stderr.contains(manyIDs[0]), "the newest ten: \(listed.stderr)")
    }

    @Test func anEmptyRunIDIsAUsageError() async throws {
        let (dir, ids) = try await Self.workspace(runs: 2)
        let show = try await CLI.run(["show", ""], in: dir.url)
        #expect(show.status == 64, "\(show.stdout)\(show.stderr)")
        #expect(show.stderr.contains("the run id is empty"), "\(show.stderr)")
        #expect(show.stdout.isEmpty)
        let blank = try await CLI.run(["show", " "], in: dir.url)
        #expect(blank.status == 64)
        let diff = try await CLI.run(["diff", ids[0], ""], in: dir.url)
        #expect(diff.status == 64, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stderr.contains("a run id is empty"), "\(diff.stderr)")
    }

    @Test func aDeletedRunFolderIsNamedNotDumped() async throws {
        let (dir, ids) = try await Self.workspace(runs: 3)
        let fm = FileManager.default
        try fm.removeItem(at: dir.url.appendingPathComponent("output/publishing-report/\(ids[1])"))
        let gone = try await CLI.run(["diff", ids[0], ids[1]], in: dir.url)
        #expect(gone.status == 64)
        #expect(gone.stderr.contains(
            "error: cannot compare run \(ids[1]): its run folder output/publishing-report/\(ids[1])/ is gone (deleted or moved?) [history.missing-run-folder]"),
            "\(gone.stderr)")
        #expect(gone.stderr.contains("quire history rebuild"))
        #expect(!gone.stderr.contains("NSCocoaErrorDomain") && !gone.stderr.contains("UserInfo"), "\(gone.stderr)")

        try fm.removeItem(at: dir.url.appendingPathComponent("output/publishing-report/\(ids[2])/manifest.json"))
        let noManifest = try await CLI.run(["diff", ids[2], ids[0]], in: dir.url)
        #expect(noManifest.status == 64)
        #expect(noManifest.stderr.contains("its manifest output/publishing-report/\(ids[2])/manifest.json is missing"), "\(noManifest.stderr)")

        try dir.write(["output/publishing-report/\(ids[0])/manifest.json": "{ not json"])
        let damaged = try await CLI.run(["diff", ids[0], ids[0]], in: dir.url)
        #expect(damaged.status == 64)
        #expect(damaged.stderr.contains("cannot read output/publishing-report/\(ids[0])/manifest.json: 1:"), "\(damaged.stderr)")
        #expect(damaged.stderr.contains("[history.unreadable-run]"))
    }

    @Test func runsSaysWhatItLeftOutAndWhichWorkflowsHaveRuns() async throws {
        let (dir, ids) = try await Self.workspace(runs: 23)
        let runs = try await CLI.run(["runs"], in: dir.url)
        #expect(runs.status == 0)
        #expect(runs.stdout.split(separator: "\n").count == 21, "a header and 20 runs")
        #expect(runs.stdout.contains(ids[22]) && !runs.stdout.contains(ids[2]), "the newest 20")
        #expect(runs.stderr == "20 of 23 runs; --limit N shows more\n", "\(runs.stderr)")
        let json = try await CLI.run(["runs", "--json", "--limit", "5"], in: dir.url)
        #expect(json.stderr == "5 of 23 runs; --limit N shows more\n", "\(json.stderr)")
        #expect(try JSONText.decode(json.stdout).listValue?.count == 5)
        let all = try await CLI.run(["runs", "--limit", "23"], in: dir.url)
        #expect(all.stderr.isEmpty, "\(all.stderr)")
        #expect(all.stdout.split(separator: "\n").count == 24)
        let one = try await CLI.run(["runs", "--workflow", "publishing-report", "--limit", "30"], in: dir.url)
        #expect(one.stderr.isEmpty, "\(one.stderr)")

        let misspelt = try await CLI.run(["runs", "--workflow", "publishing-reprot"], in: dir.url)
        #expect(misspelt.status == 0)
        #expect(misspelt.stderr.contains(
            "warning: no workflow 'publishing-reprot' has runs in the run history .quire/history.sqlite [history.unknown-workflow]"),
            "\(misspelt.stderr)")
        #expect(misspelt.stderr.contains("did you mean 'publishing-report'?"), "\(misspelt.stderr)")
        #expect(misspelt.stdout.isEmpty)
        let nope = try await CLI.run(["runs", "--workflow", "nope"], in: dir.url)
        #expect(nope.stderr.contains("no workflow 'nope' has runs"), "\(nope.stderr)")
        #expect(nope.stderr.contains("workflows with runs: publishing-report"), "\(nope.stderr)")
        let stats = try await CLI.run(["stats", "--workflow", "publishing-reprot"], in: dir.url)
        #expect(stats.stderr.contains("did you mean 'publishing-report'?"), "\(stats.stderr)")

        let help = try await CLI.run(["runs", "--help"], in: dir.url).stdout
        #expect(help.contains("(default: 20)"), "\(help)")
        #expect(!help.contains("(default 20)"), "\(help)")
    }
}
