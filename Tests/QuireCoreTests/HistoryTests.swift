import Foundation
import Testing

@testable import QuireCore

func close(_ a: Double?, _ b: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) < 1e-12
}

@Suite("History: rows, statistics, timestamps")
struct HistoryTests {
    /// A manifest as `quire run` writes it, with the cost and cache keys some calls carry.
    static func manifest(runID: String = "20261122-093015-3f2a", status: String = "succeeded", finished: Value = "2026-11-22T09:30:17.500Z") -> Value {
        [
            "run_id": .string(runID),
            "quire_version": "0.1.0",
            "workflow": ["name": "publishing-report", "path": "workflows/publishing-report.yaml", "sha256": "abc"],
            "case": nil,
            "status": .string(status),
            "started_at": "2026-11-22T09:30:15.250Z",
            "finished_at": finished,
            "inputs": ["topic": "T"],
            "order": ["plan", "sections", "report"],
            "resumes": 1,
            "steps": [
                "plan": [
                    "id": "plan", "kind": "prompt", "status": "succeeded",
                    "prompt": ["name": "publishing-plan", "version": 2, "path": "prompts/publishing-plan/v2.prompt", "sha256": "0d6cd669cb93ff"],
                    "outputs": ["steps/plan.json"],
                    "calls": [[
                        "status": "succeeded", "provider": "openai", "model": "gpt-4o-mini", "parameters": ["temperature": 0.2],
                        "request_sha256": "r1", "usage": ["prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140],
                        "latency_ms": 1200, "finish_reason": "stop", "retries": 1, "cost_usd": 0.0025, "cache_hit": false,
                    ]],
                ],
                "sections": [
                    "id": "sections", "kind": "prompt-fan-out", "status": "succeeded",
                    "prompt": ["name": "section-writer", "version": 1, "path": "prompts/section-writer/v1.prompt", "sha256": "5e"],
                    "outputs": ["steps/sections/001.txt", "steps/sections/002.txt"],
                    "calls": [
                        // Out of item order on purpose: rows come back in item order.
                        [
                            "item": 2, "status": "succeeded", "provider": "openai", "model": "local-model", "parameters": [:],
                            "request_sha256": "r3", "usage": ["prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70],
                            "latency_ms": 300, "finish_reason": "length", "retries": 0, "cost_usd": nil, "cache_hit": false,
                        ],
                        [
                            "item": 1, "status": "succeeded", "provider": "openai", "model": "gpt-4o-mini", "parameters": [:],
                            "request_sha256": "r2", "usage": ["prompt_tokens": 60, "completion_tokens": 30, "total_tokens": 90],
                            "latency_ms": 0, "finish_reason": "stop", "retries": 0, "cost_usd": 0.001, "cache_hit": true,
                        ],
                    ],
                ],
                "report": [
                    "id": "report", "kind": "template", "status": "succeeded",
                    "prompt": ["name": "report-merge", "version": 1, "path": "prompts/report-merge/v1.prompt", "sha256": "82"],
                    "outputs": ["steps/report.txt"], "calls": [],
                ],
            ],
            "artifacts": ["report.md"],
        ]
    }

    @Test func aRecordReadsRunStepsAndCallsFromTheManifestJSON() throws {
        let record = try HistoryRecord(manifest: Self.manifest(), folder: "output/publishing-report/x", pid: 42)
        #expect(record.run.runID == "20261122-093015-3f2a")
        #expect(record.run.workflow == "publishing-report")
        #expect(record.run.durationMilliseconds == 2250)
        #expect(record.run.calls == 3)
        // The cache hit's usage (60 + 30) is the original call's: not counted, as in the manifest's totals.
        #expect(record.run.promptTokens == 150)
        #expect(record.run.completionTokens == 60)
        #expect(record.run.totalTokens == 210)
        #expect(close(record.run.costUSD, 0.0035))
        #expect(record.run.unknownCostCalls == 1)
        #expect(record.run.cacheHits == 1)
        #expect(record.run.retries == 1)
        #expect(record.run.resumes == 1)
        #expect(record.run.pid == 42)
        #expect(record.steps.map(\.stepID) == ["plan", "sections", "report"])
        #expect(record.steps[0].promptID == "publishing-plan@v2")
        #expect(record.steps[0].promptSHA256 == "0d6cd669cb93ff")
        #expect(record.calls.map(\.label) == ["plan", "sections[1]", "sections[2]"])
        #expect(record.calls[0].parametersJSON == #"{"temperature":0.2}"#)
        #expect(record.calls[2].costUSD == nil)
        #expect(record.calls[1].cacheHit)
    }

    @Test func manifestsWithoutCostKeysHaveUnknownCostAndNoCacheHits() throws {
        // Manifests written before costs were recorded: every call's cost is unknown.
        var manifest = Self.manifest().objectValue!
        var steps = manifest["steps"]!.objectValue!
        var plan = steps["plan"]!.objectValue!
        var call = plan["calls"]!.listValue![0].objectValue!
        call["cost_usd"] = nil
        call["cache_hit"] = nil
        plan["calls"] = [.object(call)]
        steps = ["plan": .object(plan)]
        manifest["steps"] = .object(steps)
        manifest["finished_at"] = .null
        manifest["status"] = "running"
        let record = try HistoryRecord(manifest: .object(manifest), folder: "f")
        #expect(record.run.costUSD == nil)
        #expect(record.run.unknownCostCalls == 1)
        #expect(record.run.cacheHits == 0)
        #expect(record.run.durationMilliseconds == nil)
        #expect(record.run.value.objectValue?["cost_usd"] == .null)
        #expect(HistoryFormat.cost(record.run.costUSD) == "—")
    }

    @Test func aManifestWithoutARunIDIsRejected() {
        #expect(throws: ManifestError.self) { try HistoryRecord(manifest: ["status": "running"], folder: "f") }
    }

    @Test(arguments: [
        (50, Array(1...10), 5), (95, Array(1...10), 10), (95, Array(1...20), 19), (50, [7], 7), (95, [7], 7),
        (50, [1, 2], 1), (100, [1, 2, 3], 3), (1, [1, 2, 3], 1),
    ])
    func percentilesAreNearestRank(p: Int, values: [Int], expected: Int) {
        #expect(CallStatistics.percentile(p, ofSorted: values) == expected)
    }

    @Test func noValuesHaveNoPercentile() {
        #expect(CallStatistics.percentile(50, ofSorted: []) == nil)
    }

    @Test func statisticsGroupCallsAndSumTheirFigures() throws {
        let record = try HistoryRecord(manifest: Self.manifest(), folder: "f")
        let prompts = Dictionary(uniqueKeysWithValues: record.steps.map { ($0.stepID, $0.promptID) })
        let samples = record.calls.map { CallStatistics.Sample(call: $0, workflow: "publishing-report", prompt: prompts[$0.stepID]!) }
        let byModel = CallStatistics(samples: samples, by: .model)
        #expect(byModel.groups.map(\.key) == ["gpt-4o-mini", "local-model"])
        let gpt = byModel.groups[0]
        #expect(gpt.calls == 2)
        #expect(gpt.promptTokens == 100, "the cache hit's tokens are not counted")
        #expect(gpt.completionTokens == 40)
        #expect(gpt.meanLatencyMilliseconds == 600)
        #expect(gpt.p50LatencyMilliseconds == 0)
        #expect(gpt.p95LatencyMilliseconds == 1200)
        #expect(close(gpt.costUSD, 0.0035))
        #expect(gpt.unknownCostCalls == 0)
        #expect(gpt.retries == 1)
        #expect(gpt.cacheHits == 1)
        let local = byModel.groups[1]
        #expect(local.costUSD == nil)
        #expect(local.unknownCostCalls == 1)
        #expect(byModel.total.calls == 3)
        #expect(byModel.total.promptTokens == 150)
        #expect(close(byModel.total.costUSD, 0.0035))
        #expect(byModel.total.unknownCostCalls == 1)

        #expect(CallStatistics(samples: samples, by: .prompt).groups.map(\.key) == ["publishing-plan@v2", "section-writer@v1"])
        #expect(CallStatistics(samples: samples, by: .step).groups.map(\.key) == ["publishing-report/plan", "publishing-report/sections"])
        #expect(CallStatistics(samples: samples, by: .workflow).groups.map(\.calls) == [3])
        let json = byModel.value.objectValue!
        #expect(json["groups"]?.listValue?[1].objectValue?["cost_usd"] == .null)
        #expect(json["total"]?.objectValue?["latency_ms"]?.objectValue?["p95"] == 1200)
    }

    @Test(arguments: [
        "1970-01-01T00:00:00Z", "2026-11-22T09:30:15.123Z", "2000-02-29T23:59:59.999Z", "1999-12-31T00:00:00.5Z",
        "2026-11-22T11:30:15+02:00", "2026-11-22T04:30:15-05:00", "2400-03-01T12:00:00Z",
    ])
    func timestampsAgreeWithFoundation(text: String) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        let date = try #require(formatter.date(from: text))
        let ms = try #require(ISOTimestamp.milliseconds(text))
        #expect(ms == Int((date.timeIntervalSince1970 * 1000).rounded()))
        let back = try #require(ISOTimestamp.milliseconds(ISOTimestamp.string(milliseconds: ms)))
        #expect(back == ms)
    }

    @Test func timestampsFormatAsManifestsWriteThem() {
        #expect(ISOTimestamp.string(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(ISOTimestamp.milliseconds("2026-11-22") == ISOTimestamp.milliseconds("2026-11-22T00:00:00Z"))
        for good in ["2024-02-29", "2000-02-29", "2026-01-31", "2026-04-30", "2026-12-31"] {
            #expect(ISOTimestamp.milliseconds(good) != nil, "\(good)")
        }
        #expect(ISOTimestamp.string(milliseconds: ISOTimestamp.milliseconds("2026-11-22T09:30:15.123Z")!) == "2026-11-22T09:30:15.123Z")
        // Days a month does not have are not dates (they used to roll over into the next month).
        for bad in ["", "yesterday", "2026-13-01", "2026-11-22T25:00:00Z", "2026-11-22T09:30:15Zjunk", "7d",
                    "2026-02-29", "2026-02-30", "2026-04-31", "1900-02-29", "2026-06-31T00:00:00Z"] {
            #expect(ISOTimestamp.milliseconds(bad) == nil, "\(bad)")
        }
    }

    @Test func journalLinesFoldIntoTheManifestJSONKeepingUnknownKeys() throws {
        let manifest = Self.manifest(status: "running", finished: nil)
        let journal = """
            {"call":{"item":3,"status":"succeeded","model":"gpt-4o-mini","usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11},"cost_usd":0.5,"cache_hit":true},"output":"steps/sections/003.txt","step":"sections"}
            {"call":{"item":2,"status":"failed","model":"local-model"},"step":"sections"}
            {"call":{"item":9},"step":"no-such-step"}
            {"call":{"item":4,"sta
            """
        let folded = ManifestJournalFold.apply(journal: journal, to: manifest)
        let record = try HistoryRecord(manifest: folded, folder: "f")
        #expect(record.calls.map(\.label) == ["plan", "sections[1]", "sections[2]", "sections[3]"])
        #expect(record.calls[2].status == "failed", "the journal's later line replaces the manifest's call of item 2")
        #expect(record.calls[3].costUSD == 0.5)
        #expect(record.calls[3].cacheHit)
        let outputs = folded.objectValue?["steps"]?.objectValue?["sections"]?.objectValue?["outputs"]?.listValue
        #expect(outputs?.contains("steps/sections/003.txt") == true)
        #expect(ManifestJournalFold.apply(journal: "", to: manifest) == manifest)
    }

    @Test func formatsAreShortAndExplicitAboutUnknowns() {
        #expect(HistoryFormat.duration(milliseconds: 1210) == "1.21s")
        #expect(HistoryFormat.duration(milliseconds: 12_340) == "12.3s")
        #expect(HistoryFormat.duration(milliseconds: 125_000) == "2m05s")
        #expect(HistoryFormat.duration(milliseconds: 3_720_000) == "1h02m")
        #expect(HistoryFormat.duration(milliseconds: nil) == "—")
        #expect(HistoryFormat.cost(0.00345) == "$0.00345")
        #expect(HistoryFormat.cost(12.5, unknownCalls: 2) == "$12.50+")
        // Cheap is not free: small amounts keep their digits, as the run summary does, and nothing is `$0`.
        #expect(HistoryFormat.cost(0.0000272) == "$0.0000272")
        #expect(HistoryFormat.cost(0.00002715) == "$0.00002715")
        #expect(HistoryFormat.cost(0) == "$0")
        #expect(HistoryFormat.cost(0, unknownCalls: 1) == "$0+")
        #expect(HistoryFormat.cost(0.0123) == "$0.0123")
        #expect(HistoryFormat.cost(nil, unknownCalls: 2) == "—")
        #expect(HistoryFormat.time("2026-11-22T09:30:15.123Z") == "2026-11-22 09:30:15")
        #expect(HistoryFormat.table([["A", "BB"], ["ccc", "d"]], right: [1]) == "A    BB\nccc   d")
    }
}
