import Foundation
import QuireCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import QuireRunner
import Testing

/// Whether the real local model is there, and whether its absence is a failure (on CI) or a skip.
enum RealModel {
    static let environment = ProcessInfo.processInfo.environment
    static let installed = LocalModelInstallation(environment: environment).isInstalled
    /// `CI` set to anything but empty, `0` or `false`.
    static let onCI = !["", "0", "false"].contains((environment["CI"] ?? "").lowercased())
    static let enabled = installed || onCI
    static let skipReason: Comment = "the local model is not installed: run `quire local install` (CI=true makes its absence a failure)"

    static func requireInstalled() throws {
        try #require(installed, "CI is set but the local model is not installed in \(LocalModelInstallation(environment: environment).home.path): run `quire local install` (scripts/test does)")
    }

    /// The example workspace on the local provider at temperature 0 with a seed.
    static func workspace(post: String? = nil) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var files = ExampleWorkspace.files
        files["quire.yaml"] = "provider: local\ndefaults:\n  seed: 42\n"
        var workflow = try #require(files["workflows/publishing-report.yaml"])
        let planTemperature = "    temperature: 0.2\n"
        let sections = "    prompt: section-writer@v1\n"
        try #require(workflow.contains(planTemperature) && workflow.contains(sections), "the example workflow changed: update this test's edits")
        workflow = workflow.replacingOccurrences(of: planTemperature, with: "    temperature: 0\n")
        workflow = workflow.replacingOccurrences(of: sections, with: sections + "    temperature: 0\n")
        if let post {
            workflow = workflow.replacingOccurrences(of: "    post: [trim, bullet_list]", with: "    post: \(post)")
        }
        files["workflows/publishing-report.yaml"] = workflow
        try dir.write(files)
        return dir
    }

    static func json(_ dir: TemporaryDirectory, _ path: String) throws -> Value {
        try JSONText.decode(dir.read(path))
    }

    /// Prometheus counters from the server's /metrics.
    static func metrics(_ baseURL: String) async throws -> [String: Double] {
        let root = baseURL.hasSuffix("/v1") ? String(baseURL.dropLast(3)) : baseURL
        let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: root + "/metrics")))
        let text = String(decoding: data, as: UTF8.self)
        var counters: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { counters[String(parts[0])] = value }
        }
        return counters
    }
}

/// The example workflow on the real local model (SmolLM2-135M-Instruct under llama.cpp), through
/// the built binary: what a user without an API key gets.
@Suite("Local model: real runs", .serialized, .enabled(if: RealModel.enabled, RealModel.skipReason), .timeLimit(.minutes(20)))
struct LocalModelTests {
    @Test func theExampleRunsTwiceWithTheSameOutputsAndHonestUsage() async throws {
        try RealModel.requireInstalled()
        let dir = try RealModel.workspace()

        // 1. A run that starts and stops its own server.
        let first = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/a"], in: dir.url, timeout: 900)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "output/a/report.md\n")
        let pid = try #require(serverPID(in: first.stderr), "no server pid in: \(first.stderr)")
        #expect(try await waitUntilGone(pid, timeout: 5), "the server (pid \(pid)) outlived the run")

        // The plan post-processes into the 4 items the prompt asks for; one section per item.
        let plan = try #require(try RealModel.json(dir, "output/a/steps/plan.json").listValue)
        let titles = plan.compactMap(\.stringValue)
        #expect(titles.count == 4, "plan: \(titles)")
        #expect(titles.allSatisfy { !$0.isEmpty })
        let manifest = try #require(try RealModel.json(dir, "output/a/manifest.json").objectValue)
        #expect(manifest["status"] == "succeeded")
        let sections = try #require(manifest["steps"]?.objectValue?["sections"]?.objectValue)
        let calls = sections["calls"]?.listValue ?? []
        #expect(calls.count == titles.count)
        #expect(calls.compactMap { $0.objectValue?["item"] } == (1...titles.count).map { .int($0) })
        #expect(calls.allSatisfy { $0.objectValue?["provider"] == "local" && $0.objectValue?["response_model"] == "smollm2-135m-instruct" })

        // The merged report has every title and every section.
        let report = try dir.read("output/a/report.md")
        for (index, title) in titles.enumerated() {
            let number = String(format: "%03d", index + 1)
            let section = try dir.read("output/a/steps/sections/\(number).txt").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!section.isEmpty, "section \(index + 1) is empty")
            #expect(report.contains("<a id=\"section-\(index + 1)\"></a>\(title)"), "no heading for '\(title)'")
            #expect(report.contains(section), "section \(index + 1) is missing from the report")
        }

        // 2. The same run against a long-lived server: same outputs; usage equal to the server's counters.
        let start = try await CLI.run(["local", "start"], in: dir.url, timeout: 300)
        #expect(start.status == 0, "\(start.stderr)")
        let baseURL = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(baseURL.hasPrefix("http://127.0.0.1:") && baseURL.hasSuffix("/v1"))
        guard case .int(let recordedPID)? = try RealModel.json(dir, ".quire/local-server-local.json").objectValue?["pid"] else {
            Issue.record("no pid in .quire/local-server-local.json")
            return
        }
        let longLived = Int32(recordedPID)
        let before = try await RealModel.metrics(baseURL)
        // --no-cache: the first run's answers are in the response cache; this run must ask the model again.
        let second = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/b", "--no-cache"], in: dir.url, timeout: 900)
        let after = try await RealModel.metrics(baseURL)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("using the local model server started by `quire local start`"))
        #expect(processExists(longLived), "a run must not stop the server `quire local start` left running")

        let usage = try #require(try RealModel.json(dir, "output/b/manifest.json").objectValue?["usage"]?.objectValue)
        let served = (after["llamacpp:tokens_predicted_total"] ?? 0) - (before["llamacpp:tokens_predicted_total"] ?? 0)
        let read = (after["llamacpp:prompt_tokens_total"] ?? 0) - (before["llamacpp:prompt_tokens_total"] ?? 0)
        #expect(usage["completion_tokens"] == .int(Int(served)), "manifest \(usage) vs the server's counters: \(Int(served)) completion tokens")
        #expect(usage["prompt_tokens"] == .int(Int(read)), "manifest \(usage) vs the server's counters: \(Int(read)) prompt tokens")
        #expect(usage["total_tokens"] == .int(Int(served + read)))

        for path in ["steps/plan.json", "steps/sections/001.txt", "steps/sections/004.txt", "report.md"] {
            #expect(try dir.read("output/a/\(path)") == dir.read("output/b/\(path)"), "\(path) differs between two runs")
        }
        let requestHashes = { (folder: String) throws -> [Value] in
            let steps = try #require(try RealModel.json(dir, "\(folder)/manifest.json").objectValue?["steps"]?.objectValue)
            return ["plan", "sections"].flatMap { steps[$0]?.objectValue?["calls"]?.listValue ?? [] }.compactMap { $0.objectValue?["request_sha256"] }
        }
        #expect(try requestHashes("output/a") == requestHashes("output/b"))

        // 3. The response cache (on by default; the example runs at temperature 0 with a seed): the first
        // run's answers, served under another port, with no token generated by the server.
        let beforeCached = try await RealModel.metrics(baseURL)
        let third = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/d"], in: dir.url, timeout: 900)
        let afterCached = try await RealModel.metrics(baseURL)
        #expect(third.status == 0, "\(third.stderr)")
        // Every complete answer comes from the cache; an answer cut at max_tokens is never cached, so the
        // model is asked for it again (and, seeded, gives it again).
        let secondSteps = try #require(try RealModel.json(dir, "output/b/manifest.json").objectValue?["steps"]?.objectValue)
        var secondCalls: [[String: Value]] = []
        for step in ["plan", "sections"] {
            secondCalls += (secondSteps[step]?.objectValue?["calls"]?.listValue ?? []).compactMap(\.objectValue)
        }
        let truncated = secondCalls.filter { $0["finish_reason"] == "length" }
        let hits = secondCalls.count - truncated.count
        let regenerated = truncated.reduce(0) { total, call in
            if case .int(let n)? = call["usage"]?.objectValue?["completion_tokens"] { return total + n }
            return total
        }
        #expect(third.stderr.contains("$0, \(hits) cache hit\(hits == 1 ? "" : "s")"), "\(third.stderr)")
        #expect(Int((afterCached["llamacpp:tokens_predicted_total"] ?? 0) - (beforeCached["llamacpp:tokens_predicted_total"] ?? 0)) == regenerated)
        #expect(try dir.read("output/a/report.md") == dir.read("output/d/report.md"))

        // 4. `quire local stop` ends it.
        let stop = try await CLI.run(["local", "stop"], in: dir.url)
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(try await waitUntilGone(longLived, timeout: 10), "quire local stop left pid \(longLived) running")
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(".quire/local-server-local.json").path))
    }

    @Test func aFailedRunStopsItsServer() async throws {
        try RealModel.requireInstalled()
        // A plan is a bulleted list, not JSON: the post-processor fails the step, and the run.
        let dir = try RealModel.workspace(post: "[trim, json]")
        let result = try await CLI.run(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/f"], in: dir.url, timeout: 600)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("[run.post-processing]"))
        let pid = try #require(serverPID(in: result.stderr))
        #expect(try await waitUntilGone(pid, timeout: 5), "the server (pid \(pid)) outlived a failed run")
    }

    @Test func ctrlCStopsTheServer() async throws {
        try RealModel.requireInstalled()
        let dir = try RealModel.workspace()
        let run = try LiveCLI(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/c"], in: dir.url)
        let pid = try #require(try await run.waitFor(serverPIDPattern, timeout: 300).flatMap { Int32($0) }, "\(run.stderr)")
        #expect(processExists(pid))
        #expect(try await run.waitFor("plan: running", timeout: 60) != nil, "\(run.stderr)")
        run.signal(SIGINT)
        let status = try await run.waitForExit(timeout: 60)
        #expect(status == 130, "\(run.stderr)")
        #expect(try await waitUntilGone(pid, timeout: 5), "the server (pid \(pid)) outlived Ctrl-C")
    }

    @Test func killingQuireTakesTheServerWithIt() async throws {
        try RealModel.requireInstalled()
        let dir = try RealModel.workspace()
        let run = try LiveCLI(["run", "publishing-report", "--case", "swift-concurrency", "--out", "output/k"], in: dir.url)
        let pid = try #require(try await run.waitFor(serverPIDPattern, timeout: 300).flatMap { Int32($0) }, "\(run.stderr)")
        run.signal(SIGKILL)
        _ = try await run.waitForExit(timeout: 10)
        #expect(try await waitUntilGone(pid, timeout: 10), "the server (pid \(pid)) was orphaned by kill -9 of quire")
    }

    @Test func doctorPrintsTheLocalServersCapabilities() async throws {
        try RealModel.requireInstalled()
        let dir = try RealModel.workspace()
        let result = try await CLI.run(["doctor"], in: dir.url, timeout: 600)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = DoctorTable(result.stdout)
        #expect(rows["reachable"] == "ok")
        #expect(rows["models"] == "ok")
        #expect(rows["completion"] == "ok")
        #expect(rows["max_tokens"] == "honoured")
        #expect(rows["max_completion_tokens"] == "honoured")
        #expect(rows["seed"] == "honoured")
        #expect(rows["stop"] == "honoured")
        #expect(rows["streaming"] == "ok")
        #expect(rows["stream_usage"] == "honoured")
        #expect(rows["json_object"] == "honoured")
        #expect(rows["json_schema"] == "honoured")
        #expect(result.stdout.contains("    local:\n      defaults: {model: smollm2-135m-instruct}\n      capabilities:\n        output_limit: max_tokens\n        json_schema: true"))
        let pid = try #require(serverPID(in: result.stderr))
        #expect(try await waitUntilGone(pid, timeout: 5))
    }
}

/// The rows of `quire doctor`'s table: check name → result.
struct DoctorTable {
    var rows: [String: String] = [:]

    init(_ output: String) {
        var inTable = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.first == "check" { inTable = true; continue }
            if inTable && words.isEmpty { break }
            if inTable, words.count >= 2 { rows[String(words[0])] = String(words[1]) }
        }
    }

    subscript(_ name: String) -> String? { rows[name] }
}
