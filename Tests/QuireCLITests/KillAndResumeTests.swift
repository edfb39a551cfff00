import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// `kill -9` at seeded random points of a 20-section run, then `quire run --resume`: the real binary
/// against the fake server, as separate processes.
@Suite("Kills and interrupts: SIGKILL at random points, then --resume", .serialized)
struct KillAndResumeTests {
    static let trials = 20
    static let sections = 20
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["KILL_SEED"].flatMap(UInt64.init) ?? 2026
    }

    /// Starts `quire run` on the 20-section workflow; returns the process.
    static func start(_ args: [String], in directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = args
        process.currentDirectoryURL = directory
        process.environment = ["NO_COLOR": "1", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    // The waits below poll synchronously, on a thread of their own (``detached(_:)``): other suites
    // block the (two-thread) cooperative pool while their `quire` processes run, so a `Task.sleep` poll
    // could wake long after the moment it waits for, and a poll on the pool would starve other tests.

    struct Failed: Error, CustomStringConvertible { var description: String }

    /// Waits (bounded) until `file` exists or the process ended; returns when it saw the file.
    static func waitFor(_ file: URL, while process: Process, timeout: TimeInterval = 20) -> Date? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: file.path) { return Date() }
            if !process.isRunning { return nil }
            usleep(1000)
        }
        return nil
    }

    static func waitForExit(_ process: Process, timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                return false
            }
            usleep(1000)
        }
        return true
    }

    /// "Write the section "Part 7" …" → 7; nil for the plan.
    static func item(of request: ReceivedRequest) -> Int? {
        let text = request.lastUserMessage
        guard let range = text.range(of: "\"Part "), let end = text[range.upperBound...].firstIndex(of: "\"") else { return nil }
        return Int(text[range.upperBound..<end])
    }

    @Test func killedAtRandomPointsEveryRunResumesToTheSameOutputs() async throws {
        let started = Date()
        let server = FakeOpenAIServer(latency: FakeLatency(base: .milliseconds(30), perToken: .zero))
        try await server.start()
        defer { Task { await server.stop() } }
        RunCommandTests.answerPlans(server, titles: (1...Self.sections).map { "Part \($0)" })
        let dir = try RunCommandTests.workspace(server: server)
        let args = ["run", "publishing-report", "--var", "topic=Kill", "--concurrency", "4"]

        // The uninterrupted run: its outputs, and how long it runs once its manifest exists. Timed three
        // times, keeping the median: a single reference run slowed by the suites beside it (878 ms
        // against the usual 300) put most kills after the end of the runs they were meant to interrupt.
        let root = dir.url
        let referenceFolder = root.appendingPathComponent("output/reference")
        let span: TimeInterval = try await detached {
            var spans: [TimeInterval] = []
            for out in ["output/reference", "output/reference-2", "output/reference-3"] {
                let reference = try Self.start(args + ["--out", out], in: root)
                guard let began = Self.waitFor(root.appendingPathComponent("\(out)/manifest.json"), while: reference) else {
                    throw Failed(description: "the reference run never wrote its manifest")
                }
                guard Self.waitForExit(reference), reference.terminationStatus == 0 else {
                    throw Failed(description: "the reference run failed")
                }
                spans.append(Date().timeIntervalSince(began))
            }
            return spans.sorted()[1]
        }
        let expected = try RunFolderScan.outputs(referenceFolder)
        #expect(expected.count == 2 + Self.sections + 2, "the plan (its answer and its raw answer, which post-processing changed), one file per section (trimming changed nothing, so no raw copy), the report step and report.md")

        var generator = SplitMix64(seed: Self.seed)
        var killedMidway = 0, finishedAtKill = 0, resent = 0, retriedInResume = 0
        var done: [Int] = []
        for trial in 0..<Self.trials {
            // Stratified: trial i is killed in the i-th twentieth of the run, at a random point within it.
            let fraction = (Double(trial) + Double(generator.next() % 1000) / 1000) / Double(Self.trials)
            let delay = fraction * span
            let comment: Comment = "trial \(trial), kill \(Int(delay * 1000)) ms after the manifest appeared (KILL_SEED=\(Self.seed))"
            let out = "output/k\(trial)"
            let folder = dir.url.appendingPathComponent(out)
            let manifestFile = folder.appendingPathComponent("manifest.json")
            let outcome: String? = try await detached {
                let process = try Self.start(args + ["--out", out], in: root)
                guard Self.waitFor(manifestFile, while: process) != nil else {
                    kill(process.processIdentifier, SIGKILL)
                    return "the run never wrote its manifest"
                }
                usleep(useconds_t(delay * 1_000_000))
                kill(process.processIdentifier, SIGKILL)
                return Self.waitForExit(process) ? nil : "the killed process did not exit"
            }
            if let outcome {
                Issue.record("\(outcome) — \(comment)")
                continue
            }

            // What the killed run had finished, as Quire reads it back.
            let killed = try RunFolderScan.manifest(folder)
            if killed.status == .succeeded {
                finishedAtKill += 1
            } else {
                killedMidway += 1
                #expect(killed.status == .running, "\(comment)")
            }
            let planFinished = killed.steps["plan"]?.status == .succeeded
            let finishedItems = Set((killed.steps["sections"]?.calls ?? []).filter { $0.status == .succeeded }.compactMap(\.item))
            done.append(finishedItems.count)
            let sentBefore = server.chatRequestCount

            let resumed = try await CLI.run(["run", "publishing-report", "--resume", "k\(trial)", "--out", out], in: dir.url, timeout: 30)
            #expect(resumed.status == 0, "\(resumed.stderr) — \(comment)")
            let again = Array(server.chatRequests.dropFirst(sentBefore))
            resent += again.count
            if planFinished {
                #expect(!again.contains { Self.item(of: $0) == nil }, "the plan finished before the kill but was sent again — \(comment)")
            }
            let againItems = again.compactMap(Self.item(of:))
            #expect(Set(againItems).isDisjoint(with: finishedItems), "finished items sent again: \(Set(againItems).intersection(finishedItems).sorted()) — \(comment)")
            #expect(Set(againItems).union(finishedItems) == Set(1...Self.sections), "\(comment)")
            // Twice only as a retry within the resume (max_retries: 1), as when a starved machine lets a
            // 5 s timeout pass; counted below.
            let counts = Dictionary(grouping: againItems, by: { $0 }).mapValues(\.count)
            #expect(counts.values.allSatisfy { $0 <= 2 }, "\(counts) — \(comment)")
            retriedInResume += counts.values.filter { $0 > 1 }.count

            let final = try RunFolderScan.manifest(folder)
            #expect(final.status == .succeeded, "\(comment)")
            try RunFolderScan.expectComplete(folder, comment)
            RunFolderScan.expectSame(try RunFolderScan.outputs(folder), as: expected, comment)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(killedMidway >= Self.trials / 2, "most kills should land mid-run (\(killedMidway) of \(Self.trials))")
        #expect(Set(done.filter { (1..<Self.sections).contains($0) }).count >= 2, "kills should land part-way through the sections: \(done)")
        print("kills: \(Self.trials) trials (seed \(Self.seed)) over a \(Int(span * 1000)) ms run: \(killedMidway) killed mid-run, \(finishedAtKill) had finished; sections finished at the kill: \(done); \(resent) requests sent by the resumes (\(retriedInResume) items retried within a resume); \(String(format: "%.1f", elapsed)) s")
        #expect(elapsed < 180, "the kill suite should stay bounded (took \(elapsed) s; about 20 s on an idle machine)")
    }
}
