import Testing
@testable import QuireCore

@Suite("Recorded run options")
struct RecordedOptionsTests {
    static let recorded = RecordedOptions(model: "m1", maxCost: 0.5, maxTokens: 700, refresh: ["plan"])

    @Test func aResumeKeepsWhatIsNotGivenAgain() {
        let (options, changed) = Self.recorded.resumed(with: RecordedOptions())
        #expect(options == Self.recorded)
        #expect(changed.isEmpty)
    }

    @Test func whatIsGivenAgainWinsAndAChangeIsNamed() {
        let (options, changed) = Self.recorded.resumed(with: RecordedOptions(model: "m1", provider: "p", maxTokens: 9000, noCache: true, refresh: ["sections"]))
        #expect(options == RecordedOptions(model: "m1", provider: "p", maxCost: 0.5, maxTokens: 9000, noCache: true, refresh: ["plan", "sections"]))
        #expect(changed == ["--max-tokens"], "the same model again is no change; a provider where none was recorded is none either")
    }

    @Test func theManifestFieldRoundTripsAndIsEmptyWhenNothingWasChosen() throws {
        let value = Self.recorded.value
        #expect(value == ["model": "m1", "max_cost": 0.5, "max_tokens": 700, "refresh": ["plan"]])
        #expect(RecordedOptions(value: value) == Self.recorded)
        #expect(RecordedOptions().isEmpty)
        #expect(RecordedOptions(value: nil).isEmpty)
        #expect(RecordedOptions(value: ["max_cost": -1, "max_tokens": "many", "no_cache": "yes"]).isEmpty)
        #expect(Self.recorded.flags == "--model m1 --max-cost 0.5 --max-tokens 700 --refresh plan")

        var manifest = RunManifest(quireVersion: "0", runID: "r", workflow: "w", workflowPath: "", workflowSHA256: "", caseName: nil, startedAt: "", inputs: [:], order: [])
        #expect(manifest.value.objectValue?["options"] == nil)
        manifest.options = Self.recorded
        #expect(try RunManifest(value: JSONText.decode(manifest.json)).options == Self.recorded)
    }
}
