import Testing

@testable import QuireCore

/// Costs in JSON carry no binary-float noise: manifests, the history and every `--json`.
@Suite("USD amounts in JSON")
struct USDAmountTests {
    @Test(arguments: [
        (0.00010455000000000001, "0.00010455"), (0.1 + 0.2, "0.3"), (0.000412, "0.000412"), (0.016, "0.016"),
        (1.23456789012345, "1.23456789"), (12_345.678_912_34, "12345.67891"), (0, "0"), (3, "3"), (-0.1 - 0.2, "-0.3"),
        (2.5e-14 + 1e-30, "2.5e-14"),
    ])
    func amountsAreWrittenWithTenSignificantDigits(amount: Double, json: String) {
        #expect(JSONText.encode(USDAmount.value(amount), pretty: false) == json)
    }

    @Test func unknownIsNull() {
        #expect(USDAmount.value(nil) == .null)
    }

    @Test func everyEncoderOfCostsRoundsThem() throws {
        // A price times tokens, with noise: 1 prompt token at $0.15/M and 98 completion tokens at $0.60/M.
        let noisy = (1 * 0.15 + 98 * 0.6) / 1_000_000
        #expect(String(noisy) == "5.8949999999999996e-05", "the test needs a noisy amount: \(noisy)")
        let call = CallRecord(item: nil, status: .succeeded, provider: "p", model: "m", parameters: [:], requestSHA256: "r", costUSD: noisy)
        var step = StepRecord(id: "plan", kind: "prompt", status: .succeeded, prompt: PromptStamp(name: "n", version: 1, path: "", sha256: ""))
        step.calls = [call, call]
        var manifest = RunManifest(
            quireVersion: "t", runID: "r", workflow: "w", workflowPath: "", workflowSHA256: "", caseName: nil,
            startedAt: "2026-11-22T09:30:15.000Z", inputs: [:], order: ["plan"])
        manifest.steps["plan"] = step
        let json = manifest.json
        #expect(json.contains("\"cost_usd\": 5.895e-05,"), "the calls: \(json)")
        #expect(json.contains("\"cost_usd\": 0.0001179,"), "the step and the run: \(json)")
        #expect(!json.contains("99999999"), "\(json)")

        let record = try HistoryRecord(manifest: try JSONText.decode(json), folder: "f")
        let history = [
            JSONText.encode(record.run.value, pretty: false),
            JSONText.encode(.list(record.calls.map(\.value)), pretty: false),
            JSONText.encode(CallStatistics(samples: record.calls.map { .init(call: $0, workflow: "w", prompt: "n@v1") }, by: .model).value, pretty: false),
        ]
        for text in history { #expect(!text.contains("99999999"), "\(text)") }
        #expect(history[0].contains("\"cost_usd\":0.0001179"), "\(history[0])")
        #expect(history[1].contains("\"cost_usd\":5.895e-05"), "\(history[1])")
        #expect(history[2].contains("\"cost_usd\":0.0001179"), "\(history[2])")
    }
}
