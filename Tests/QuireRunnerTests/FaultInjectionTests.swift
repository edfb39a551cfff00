import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport
import Testing

/// Whole runs against a fake server that fails a seeded 25% of its chat requests with every transient
/// fault a provider produces (see ``FakeFaultSchedule/transient``). Each run either completes with
/// outputs byte-identical to a fault-free run, or fails naming the step and then resumes to them.
/// Every expectation's message carries the seed: `FAULT_SEED=<seed>` reruns just that schedule.
@Suite("Faults: whole runs under a seeded fault schedule", .serialized)
struct FaultInjectionTests {
    static let retry = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(1), maxDelay: .milliseconds(20), deadline: .seconds(20))
    /// Short, so a stalled answer (2 s) times out quickly — but not so short that a busy machine, not
    /// the server, trips it.
    static let timeouts = ProviderTimeouts(connect: .seconds(1), read: .seconds(1), request: .seconds(5))
    static let rate = 0.25

    struct Scenario: Sendable, CustomStringConvertible {
        var workflow: String
        var caseName: String
        /// When set, plans get this many titles (a fan-out of that many items).
        var fanOut: Int?
        var stream: Bool
        var description: String { "\(workflow)/\(caseName)\(fanOut.map { " ×\($0)" } ?? "")\(stream ? " streamed" : "")" }
    }

    static let scenarios: [Scenario] = [
        Scenario(workflow: "publishing-report", caseName: "swift-concurrency", fanOut: nil, stream: false),
        Scenario(workflow: "publishing-report", caseName: "sqlite-wal", fanOut: nil, stream: true),
        Scenario(workflow: "review-digest", caseName: "kettle", fanOut: nil, stream: false),
        Scenario(workflow: "review-digest", caseName: "kettle", fanOut: nil, stream: true),
        Scenario(workflow: "publishing-report", caseName: "swift-concurrency", fanOut: 50, stream: false),
        Scenario(workflow: "publishing-report", caseName: "sqlite-wal", fanOut: 50, stream: true),
    ]

    /// Seeds per scenario; `FAULT_SEED` runs one given seed instead.
    static var seeds: [UInt64] {
        if let text = ProcessInfo.processInfo.environment["FAULT_SEED"], let seed = UInt64(text) { return [seed] }
        return [11, 29, 4242]
    }

    static func install(_ scenario: Scenario, on server: FakeOpenAIServer) {
        let fanOut = scenario.fanOut
        server.setResponder { request in
            if let fanOut, request.messages.first?.content.contains(RunnerHarness.planMarker) == true {
                return FakeResponse((1...fanOut).map { "- Part \($0)" }.joined(separator: "\n"))
            }
            return FakeResponse(ExampleResponder.answer(request.messages))
        }
    }

    /// Every file of a run folder but the manifest (which holds timings), by relative path.
    static func outputs(_ folder: RunFolder) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = folder.url.standardizedFileURL.path + "/"
        for case let url as URL in FileManager.default.enumerator(at: folder.url, includingPropertiesForKeys: [.isRegularFileKey])! {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(base.count))
            if relative == "manifest.json" { continue }
            files[relative] = try Data(contentsOf: url)
        }
        return files
    }

    /// Nothing half-written: no temporary files, no journal left once the run ended, every JSON file
    /// parses, every output the manifest lists exists.
    static func checkComplete(_ folder: RunFolder, _ comment: Comment) throws {
        let names = FileManager.default.enumerator(atPath: folder.url.path)?.allObjects as? [String] ?? []
        #expect(!names.contains { $0.hasSuffix(".tmp") }, "temporary files left: \(names) — \(comment)")
        #expect(!names.contains("journal.jsonl"), "the journal outlived the run — \(comment)")
        for name in names where name.hasSuffix(".json") {
            let text = try String(contentsOf: folder.url.appendingPathComponent(name), encoding: .utf8)
            #expect((try? JSONText.decode(text)) != nil, "\(name) does not parse — \(comment)")
        }
        let manifest = try RunStore.loadManifest(folder: folder)
        for record in manifest.steps.values {
            for output in record.outputs {
                #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(output).path), "\(output) is listed but missing — \(comment)")
            }
        }
    }

    struct Figures {
        var runs = 0, requests = 0, faults = 0, retries = 0, failedRuns = 0, discarded = 0
        var kinds: [String: Int] = [:]
    }

    @Test(arguments: scenarios)
    func runsUnderFaultsMatchAFaultFreeRun(_ scenario: Scenario) async throws {
        let started = ContinuousClock.now
        let server = FakeOpenAIServer(latency: FakeLatency(base: .milliseconds(2), perToken: .zero))
        let harness = try await RunnerHarness(server: server)
        defer { Task { await harness.stop() } }
        Self.install(scenario, on: server)
        let options = RunOptions(concurrency: 8, stream: scenario.stream)

        let (clean, cleanFolder) = try await harness.run(
            scenario.workflow, caseName: scenario.caseName, runID: "clean", options: options, retry: Self.retry, timeouts: Self.timeouts)
        try #require(clean.status == .succeeded, "\(clean.diagnostics)")
        let expected = try Self.outputs(cleanFolder)
        #expect(expected.count >= 4)

        var figures = Figures()
        for seed in Self.seeds {
            let comment: Comment = "seed \(seed), \(scenario) (rerun with FAULT_SEED=\(seed))"
            server.resetRecords()
            server.setFaultSchedule(FakeFaultSchedule(seed: seed, rate: Self.rate))
            let runID = "faulted-\(seed)"
            let (outcome, folder) = try await harness.run(
                scenario.workflow, caseName: scenario.caseName, runID: runID, options: options, retry: Self.retry, timeouts: Self.timeouts)
            let requests = server.chatRequests
            let faults = server.appliedFaults
            figures.runs += 1
            figures.requests += requests.count
            figures.faults += faults.count
            for fault in faults.values { figures.kinds[Self.kind(fault), default: 0] += 1 }

            // Retries stay within bounds: no logical call (one request body) was sent more than maxAttempts times.
            let perCall = Dictionary(grouping: requests, by: \.body).mapValues(\.count)
            #expect(perCall.values.allSatisfy { $0 <= Self.retry.maxAttempts }, "\(perCall.values.max() ?? 0) attempts for one call — \(comment)")
            // Every faulted request was noticed and counted as a retry (or as the last failed attempt).
            let calls = outcome.manifest.steps.values.flatMap(\.calls)
            figures.retries += calls.map(\.retries).reduce(0, +)
            #expect(calls.map { $0.retries + 1 }.reduce(0, +) == requests.count, "the manifest's attempts differ from the requests the server saw — \(comment)")
            // Each logical call has at most one answer the client accepted. (An answer the server sent
            // whole but the client gave up on — its read timeout fired before it read the bytes, as on a
            // starved machine — is asked again and counted once.)
            let deliveredIndexes = Set(server.deliveredUsage.keys)
            let answeredCalls = Set(requests.filter { deliveredIndexes.contains($0.index) }.map(\.body))
            figures.discarded += deliveredIndexes.count - answeredCalls.count
            #expect(answeredCalls.count >= calls.filter { $0.status == .succeeded }.count, "\(comment)")

            if outcome.status != .succeeded {
                figures.failedRuns += 1
                let errors = outcome.diagnostics.filter(\.isError)
                #expect(!errors.isEmpty, "\(comment)")
                for error in errors {
                    #expect(error.message.hasPrefix("step '"), "an error that names no step: \(error.message) — \(comment)")
                    #expect(error.id == "provider.retries-exhausted", "\(error.id): \(error.message) — \(comment)")
                }
                #expect(outcome.status == .failed, "\(comment)")
                // The faults stop; the run resumes to the same outputs.
                server.setFaultSchedule(nil)
                let (resumed, _) = try await harness.run(
                    scenario.workflow, runID: runID, options: options, retry: Self.retry, timeouts: Self.timeouts, resume: true)
                #expect(resumed.status == .succeeded, "\(resumed.diagnostics) — \(comment)")
            }
            // Usage is counted once: the manifest's total is exactly the usage of the successful answers
            // sent, one per logical call (the fake answers a repeated request identically).
            let manifest = try RunStore.loadManifest(folder: folder)
            var perCallUsage: [String: FakeUsage] = [:]
            let byIndex = Dictionary(uniqueKeysWithValues: server.chatRequests.map { ($0.index, $0.body) })
            for (index, usage) in server.deliveredUsage { if let body = byIndex[index] { perCallUsage[body] = usage } }
            let delivered = perCallUsage.values
            #expect(manifest.usage.promptTokens == delivered.map(\.prompt).reduce(0, +), "\(comment)")
            #expect(manifest.usage.completionTokens == delivered.map(\.completion).reduce(0, +), "\(comment)")
            #expect(manifest.usage.totalTokens == delivered.map(\.total).reduce(0, +), "\(comment)")
            #expect(manifest.status == .succeeded, "\(comment)")
            try Self.checkComplete(folder, comment)
            let actual = try Self.outputs(folder)
            #expect(actual.keys.sorted() == expected.keys.sorted(), "\(comment)")
            for (path, data) in expected where actual[path] != data {
                Issue.record("\(path) differs from the fault-free run — \(comment)")
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(figures.faults > 0, "the schedule faulted nothing in \(scenario)")
        print("faults: \(scenario): \(figures.runs) runs, \(figures.requests) requests, \(figures.faults) faulted (\(figures.kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), \(figures.retries) retries, \(figures.failedRuns) failed and resumed, \(figures.discarded) answers sent whole but timed out in the client, \(elapsed)")
    }

    static func kind(_ fault: FakeFault) -> String {
        switch fault {
        case .rateLimited(let retryAfter): retryAfter == nil ? "429" : "429+Retry-After"
        case .serverError(let status): "\(status)"
        case .stall: "stall"
        case .closeConnection: "drop"
        case .cutStream: "cut"
        case .malformedJSON: "bad-json"
        case .malformedSSE: "bad-sse"
        case .wrongContentType: "content-type"
        default: "other"
        }
    }

    /// A call whose every attempt fails exhausts its retries: the run fails naming the step, after
    /// exactly maxAttempts requests for that call, and resumes once the server recovers.
    @Test func aCallThatAlwaysFailsStopsAtItsBoundAndNamesTheStep() async throws {
        let server = FakeOpenAIServer()
        let harness = try await RunnerHarness(server: server)
        defer { Task { await harness.stop() } }
        Self.install(Scenario(workflow: "publishing-report", caseName: "swift-concurrency", stream: false), on: server)
        server.injectFault(.serverError(503), times: 100) { $0.lastUserMessage.contains("Cancellation flows down") }
        let (outcome, folder) = try await harness.run(
            "publishing-report", caseName: "swift-concurrency", runID: "bound", retry: Self.retry, timeouts: Self.timeouts)
        #expect(outcome.status == .failed)
        let error = try #require(outcome.diagnostics.first { $0.isError })
        #expect(error.message.hasPrefix("step 'sections[3]' (section-writer@v1): provider 'fake' failed after 5 attempts"), "\(error.message)")
        #expect(server.chatRequests.filter { $0.lastUserMessage.contains("Cancellation flows down") }.count == Self.retry.maxAttempts)
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("steps/sections/003.txt").path))
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("report.md").path))
        server.clearFaults()
        let before = server.chatRequestCount
        let (resumed, _) = try await harness.run("publishing-report", runID: "bound", retry: Self.retry, timeouts: Self.timeouts, resume: true)
        #expect(resumed.status == .succeeded)
        #expect(server.chatRequestCount - before == 1, "only the failed item is sent again")
        try Self.checkComplete(folder, "bound")
    }
}
