import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport
import Testing

@Suite("Running workflows against a fake OpenAI-compatible server", .serialized)
struct WorkflowRunnerTests {
    @Test func publishingReportWritesTheWholeRunFolder() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.answerPlans(with: ["Tasks and task groups", "Cancellation", "Actors"])
        let (outcome, folder) = try await harness.run("publishing-report", variables: [("topic", "Swift concurrency")])
        #expect(outcome.status == .succeeded, "\(outcome.diagnostics)")

        // Plan, one section per plan item, then the local merge: 4 model calls.
        let requests = harness.server.chatRequests
        #expect(requests.count == 4)
        let plan = try #require(requests.first { $0.messages.first?.content.contains(RunnerHarness.planMarker) == true })
        #expect(plan["temperature"] == .double(0.2))
        #expect(plan["max_tokens"] == .int(200))
        #expect(plan.model == "fake-model")
        #expect(plan.lastUserMessage == "Plan a report about Swift concurrency with 4 sections.")
        let sections = requests.filter { $0.messages.first?.content.contains(RunnerHarness.planMarker) != true }
        #expect(Set(sections.map(\.lastUserMessage)) == Set([
            "Write the section \"Tasks and task groups\" (section 1 of 3) in two short paragraphs.\nDo not repeat the title.",
            "Write the section \"Cancellation\" (section 2 of 3) in two short paragraphs.\nDo not repeat the title.",
            "Write the section \"Actors\" (section 3 of 3) in two short paragraphs.\nDo not repeat the title.",
        ]))
        #expect(sections.allSatisfy { $0["temperature"] == .double(0.7) && $0["max_tokens"] == .int(400) })

        // Outputs, in plan order.
        #expect(try harness.read("\(folder.relativePath)/steps/plan.json") == "[\n  \"Tasks and task groups\",\n  \"Cancellation\",\n  \"Actors\"\n]\n")
        let first = try harness.read("\(folder.relativePath)/steps/sections/001.txt")
        #expect(first.hasPrefix("echo: Write the section \"Tasks and task groups\""))
        let report = try harness.read("\(folder.relativePath)/report.md")
        #expect(report.hasPrefix("# Swift concurrency\n"))
        for n in 1...3 {
            let section = try harness.read("\(folder.relativePath)/steps/sections/00\(n).txt")
            #expect(report.contains(section), "report must contain section \(n)")
        }
        let titles = ["Tasks and task groups", "Cancellation", "Actors"]
        let order = titles.enumerated().map { report.range(of: "## <a id=\"section-\($0.offset + 1)\"></a>\($0.element)")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())

        // The manifest says what produced each output, and what it cost.
        let manifest = outcome.manifest
        #expect(manifest.status == .succeeded)
        #expect(manifest.artifacts == ["report.md"])
        let planRecord = try #require(manifest.steps["plan"])
        #expect(planRecord.prompt.name == "publishing-plan")
        #expect(planRecord.prompt.version == 2)
        #expect(planRecord.prompt.sha256 == ContentHash.sha256(try harness.read("prompts/publishing-plan/v2.prompt")))
        let call = try #require(planRecord.calls.first)
        #expect(call.parameters == ["temperature": .double(0.2), "max_tokens": .int(200)])
        #expect(call.finishReason == "stop")
        #expect(call.provider == "fake")
        #expect(manifest.steps["sections"]?.calls.map(\.item) == [1, 2, 3])
        #expect(manifest.steps["report"]?.calls.isEmpty == true)
        // Usage equals what the server reported.
        let expectedTokens = requests.reduce(0) { total, request in
            let reply = request.messages.first?.content.contains(RunnerHarness.planMarker) == true
                ? "- Tasks and task groups\n- Cancellation\n- Actors" : FakeReply.defaultReply(to: request.messages)
            return total + FakeReply.promptTokens(request.messages) + FakeReply.tokenCount(reply)
        }
        #expect(manifest.usage.totalTokens == expectedTokens)
        let onDisk = try JSONText.decode(harness.read("\(folder.relativePath)/manifest.json"))
        #expect(onDisk.objectValue?["status"] == "succeeded")
        #expect(onDisk.objectValue?["usage"]?.objectValue?["total_tokens"] == .int(expectedTokens))
    }

    @Test func providerRenamesTheOutputLimitAndStreams() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        let config = try harness.read("quire.yaml").replacingOccurrences(
            of: "api_key_env: FAKE_API_KEY", with: "api_key_env: FAKE_API_KEY\n    capabilities: {output_limit: max_completion_tokens}")
        try harness.write("quire.yaml", config)
        harness.answerPlans(with: ["One"])
        let observer = RecordingObserver()
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "T")], options: RunOptions(stream: true), observer: observer)
        #expect(outcome.status == .succeeded, "\(outcome.diagnostics)")
        let requests = harness.server.chatRequests
        #expect(requests.allSatisfy { $0.isStreaming && $0["max_completion_tokens"] != nil && $0["max_tokens"] == nil })
        let streamed = observer.events.compactMap { event -> String? in
            if case .delta(let label, let text) = event, label == "plan" { return text }
            return nil
        }.joined()
        #expect(streamed == "- One")
        #expect(outcome.manifest.steps["plan"]?.calls.first?.parameters["max_completion_tokens"] == .int(200))
    }

    @Test func authenticationFailureIsNotRetriedAndNamesTheKeyVariable() async throws {
        let secret = fakeAPIKey("test-secret-quire")
        let harness = try await RunnerHarness(server: FakeOpenAIServer(apiKey: "sk-the-right-one"))
        defer { Task { await harness.stop() } }
        let (outcome, folder) = try await harness.run("publishing-report", variables: [("topic", "T")], environment: ["FAKE_API_KEY": secret])
        #expect(outcome.status == .failed)
        #expect(harness.server.chatRequestCount == 1)
        let error = try #require(outcome.diagnostics.first(where: { $0.isError }))
        #expect(error.id == "provider.authentication")
        #expect(error.message.hasPrefix("step 'plan' (publishing-plan@v2): authentication failed for provider 'fake'") || error.message.contains("authentication failed for provider"))
        #expect(error.message.contains("FAKE_API_KEY"))
        // The key appears nowhere: not in the error, not in any file of the run.
        #expect(!error.description.contains(secret))
        let files = FileManager.default.enumerator(atPath: folder.url.path)?.allObjects as? [String] ?? []
        for file in files {
            let data = (try? Data(contentsOf: folder.url.appendingPathComponent(file))) ?? Data()
            #expect(!String(decoding: data, as: UTF8.self).contains(secret), "\(file) contains the key")
        }
        #expect(outcome.manifest.steps["sections"]?.status == .skipped)
    }

    @Test func badRequestPassesTheServerMessageWithStepAndPromptVersion() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.server.injectFault(.badRequest(message: "Invalid value for 'temperature'.", code: nil), at: 0)
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "T")])
        #expect(outcome.status == .failed)
        #expect(harness.server.chatRequestCount == 1)
        let error = try #require(outcome.diagnostics.first(where: { $0.isError }))
        #expect(error.id == "provider.bad-request")
        #expect(error.message.hasPrefix("step 'plan' (publishing-plan@v2): "))
        #expect(error.message.contains("Invalid value for 'temperature'."))
    }

    @Test func unknownModelListsTheAvailableOnes() async throws {
        let harness = try await RunnerHarness(server: FakeOpenAIServer(models: ["fake-model"], knownModelsOnly: true))
        defer { Task { await harness.stop() } }
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "T")], options: RunOptions(model: "gpt-5-imaginary"))
        #expect(outcome.status == .failed)
        let error = try #require(outcome.diagnostics.first(where: { $0.isError }))
        #expect(error.id == "provider.model-not-found")
        #expect(error.message.contains("gpt-5-imaginary"))
        #expect((error.message + error.notes.joined() + (error.suggestion ?? "")).contains("fake-model"))
    }

    @Test(arguments: [FakeFault.rateLimited(retryAfter: "0"), .rateLimited(retryAfter: nil), .serverError(500), .serverError(502), .serverError(503), .serverError(504), .closeConnection, .cutStream(afterChunks: 1), .malformedJSON, .stall(.seconds(3))])
    func transientFailuresAreRetriedAndCounted(fault: FakeFault) async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.answerPlans(with: ["A", "B"])
        harness.server.injectFault(fault, at: 0)
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "T")])
        #expect(outcome.status == .succeeded, "\(fault): \(outcome.diagnostics)")
        #expect(harness.server.chatRequestCount == 4)
        #expect(outcome.manifest.steps["plan"]?.calls.first?.retries == 1)
        #expect(outcome.manifest.value.objectValue?["retries"] == 1)
    }

    @Test func refusedConnectionsAreRetriedThenReported() async throws {
        // A port held but not listening: a stopped server's port could meanwhile go to a test running beside this one.
        let refusing = try RefusingPort()
        let harness = try await RunnerHarness(baseURL: "http://127.0.0.1:\(refusing.port)/v1")
        defer { Task { await harness.stop() } }
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "T")])
        withExtendedLifetime(refusing) {}
        #expect(outcome.status == .failed)
        let error = try #require(outcome.diagnostics.first(where: { $0.isError }))
        #expect(error.id == "provider.retries-exhausted")
        #expect(error.message.hasPrefix("step 'plan' (publishing-plan@v2): "))
        #expect(error.message.contains("connect"))
        #expect(outcome.manifest.steps["plan"]?.calls.first?.retries == 3)
    }

    @Test func aFailedCallRecordsTheTimeItsAttemptsAndWaitsTook() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        // Retry-After replaces the random wait, capped at the harness's 50 ms: three waits of 50 ms at least.
        harness.server.injectFaults(Array(repeating: .rateLimited(retryAfter: "1"), count: 10))
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "T")])
        #expect(outcome.status == .failed)
        let call = try #require(outcome.manifest.steps["plan"]?.calls.first)
        #expect(call.status == .failed)
        #expect(call.retries == 3)
        #expect(call.latencyMilliseconds >= 150, "the attempts and back-off waits: \(call.latencyMilliseconds) ms")
        #expect(call.latencyMilliseconds < 20_000)
    }

    @Test func retriesAreBounded() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.server.injectFaults(Array(repeating: .serverError(503), count: 10))
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "T")])
        #expect(outcome.status == .failed)
        #expect(harness.server.chatRequestCount == 4)
        let error = try #require(outcome.diagnostics.first(where: { $0.isError }))
        #expect(error.id == "provider.retries-exhausted")
        #expect(outcome.manifest.steps["plan"]?.calls.first?.retries == 3)
    }

    @Test func truncatedAnswersWarnOrFailPerStep() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.server.setResponder { request in
            if request.messages.first?.content.contains(RunnerHarness.planMarker) == true { return FakeResponse("- A") }
            return FakeResponse("a long section that was cut", finishReason: "length")
        }
        let (warned, _) = try await harness.run("publishing-report", variables: [("topic", "T")], runID: "warn")
        #expect(warned.status == .succeeded)
        #expect(warned.diagnostics.map(\.id) == ["run.output-truncated"])
        #expect(warned.diagnostics.first?.message.contains("step 'sections[1]' (section-writer@v1) stopped at the output limit (max_tokens 400)") == true)

        let workflow = try harness.read("workflows/publishing-report.yaml").replacingOccurrences(of: "    max_tokens: 400\n    post: [trim]", with: "    max_tokens: 400\n    on_length: error\n    post: [trim]")
        try harness.write("workflows/publishing-report.yaml", workflow)
        let (failed, _) = try await harness.run("publishing-report", variables: [("topic", "T")], runID: "fail")
        #expect(failed.status == .failed)
        #expect(failed.diagnostics.first(where: { $0.isError })?.id == "run.output-truncated")
    }

    @Test func aStepThatEndsWhileAnotherRunsIsOnDiskAtOnce() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        try harness.write("workflows/two-plans.yaml", """
            name: two-plans
            inputs:
              topic: {type: string}
            steps:
              - id: quick
                prompt: publishing-plan@v1
              - id: slow
                prompt: publishing-plan@v2
            """)
        // publishing-plan@v2 has the system message; its answer comes 3 s late.
        harness.server.injectFault(.stall(.seconds(3))) { request in
            request.messages.contains { $0.content.contains(RunnerHarness.planMarker) }
        }
        let manifestURL = harness.root.appendingPathComponent("output/two-plans/parallel/manifest.json")
        func statusOnDisk(_ step: String) -> String? {
            guard let data = try? Data(contentsOf: manifestURL), let value = try? JSONText.decode(String(decoding: data, as: UTF8.self)) else { return nil }
            return value.objectValue?["steps"]?.objectValue?[step]?.objectValue?["status"]?.stringValue
        }
        let run = Task { try await harness.run("two-plans", variables: [("topic", "T")], runID: "parallel") }
        // The quick step's end is in manifest.json while the slow one is still waiting for its answer.
        let deadline = ContinuousClock.now + .milliseconds(2_500)
        while statusOnDisk("quick") != "succeeded", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(statusOnDisk("quick") == "succeeded")
        #expect(statusOnDisk("slow") == "running")
        let (outcome, _) = try await run.value
        #expect(outcome.status == .succeeded, "\(outcome.diagnostics)")
        #expect(statusOnDisk("slow") == "succeeded")
    }

    @Test func aStepEndWrittenWithTheNextStartLeavesEveryStepInTheManifestAndTheHistory() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.answerPlans(with: ["A", "B"])
        let history = RecordingHistory()
        let (outcome, folder) = try await harness.run("publishing-report", variables: [("topic", "T")], history: history)
        #expect(outcome.status == .succeeded)
        let onDisk = try RunStore.loadManifest(folder: folder)
        #expect(onDisk.steps.mapValues(\.status) == ["plan": .succeeded, "sections": .succeeded, "report": .succeeded])
        #expect(onDisk.steps["sections"]?.calls.count == 2)
        // The history heard of every step's end, though some were written together with the next write.
        let told = history.changedSteps
        #expect(Set(told.compactMap { $0 }.flatMap { $0 }).isSuperset(of: ["plan", "sections", "report"]), "\(told)")
        #expect(history.lastStatuses == ["plan": "succeeded", "sections": "succeeded", "report": "succeeded"])
        // The sections' end waits for the local report step, which makes no calls: one write for both.
        let last = try #require(told.last ?? nil)
        #expect(last.isSuperset(of: ["sections", "report"]), "\(told)")
        #expect(!told.dropLast().contains { $0?.contains("report") == true }, "\(told)")
    }

    @Test func resumeSendsOnlyWhatDidNotFinish() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.answerPlans(with: ["A", "B", "C", "D"])
        // The plan succeeds; one section is rejected (not retryable), the others finish.
        harness.server.injectFault(.badRequest(message: "try later", code: nil), at: 2)
        let (first, folder) = try await harness.run("publishing-report", variables: [("topic", "T")], options: RunOptions(concurrency: 1))
        #expect(first.status == .failed)
        #expect(harness.server.chatRequestCount == 5)
        #expect(first.manifest.steps["sections"]?.calls.filter { $0.status == .succeeded }.count == 3)
        let before = harness.server.chatRequests.map(\.lastUserMessage)

        let (second, _) = try await harness.run("publishing-report", resume: true)
        #expect(second.status == .succeeded, "\(second.diagnostics)")
        let resent = harness.server.chatRequests.dropFirst(5).map(\.lastUserMessage)
        #expect(resent.count == 1)
        #expect(resent.first == before[2])
        #expect(second.manifest.resumes == 1)
        #expect(second.manifest.steps["sections"]?.calls.map(\.item) == [1, 2, 3, 4])
        let report = try harness.read("\(folder.relativePath)/report.md")
        #expect(report.contains("## <a id=\"section-4\"></a>D"))
    }

    @Test func aCallWhoseStepEndWasNeverWrittenIsReusedNotPaidAgain() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.answerPlans(with: ["A", "B"])
        harness.server.injectFault(.badRequest(message: "no", code: nil), at: 1)
        let (first, folder) = try await harness.run("publishing-report", variables: [("topic", "T")], options: RunOptions(concurrency: 1))
        #expect(first.status == .failed)
        #expect(harness.server.chatRequestCount == 3)

        // As if the process had died right after the plan's call was recorded: the manifest still
        // says "running" with no call, and the call is only in the journal.
        var manifest = try RunStore.loadManifest(folder: folder)
        let planCall = try #require(manifest.steps["plan"]?.calls.first)
        manifest.steps["plan"]?.status = .running
        manifest.steps["plan"]?.calls = []
        manifest.steps["plan"]?.outputs = []
        let killed = RunStore(folder: folder, manifest: manifest, clock: { Date() })
        try await killed.save()
        try await killed.recordCall(step: "plan", call: planCall, output: planCall.output)

        let (second, _) = try await harness.run("publishing-report", resume: true)
        #expect(second.status == .succeeded, "\(second.diagnostics)")
        let resent = harness.server.chatRequests.dropFirst(3)
        #expect(resent.count == 1)
        #expect(!resent.contains { $0.messages.first?.content.contains(RunnerHarness.planMarker) == true })
        #expect(second.manifest.steps["plan"]?.status == .succeeded)
        #expect(second.manifest.steps["plan"]?.calls.map(\.requestSHA256) == [planCall.requestSHA256])
        let onDisk = try RunStore.loadManifest(folder: folder)
        #expect(onDisk.steps["plan"]?.status == .succeeded)
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("journal.jsonl").path))
    }

    @Test func unsupportedParametersStopTheRunBeforeAnyCall() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        let config = try harness.read("quire.yaml").replacingOccurrences(of: "api_key_env: FAKE_API_KEY", with: "api_key_env: FAKE_API_KEY\n    capabilities: {json_schema: false, seed: false}")
        try harness.write("quire.yaml", config)
        do {
            _ = try await harness.run("review-digest", variables: [("product", "P"), ("reviews", "[\"good\"]")])
            Issue.record("expected the preflight to refuse")
        } catch let error as DiagnosticError {
            #expect(error.diagnostics.map(\.id).contains("run.unsupported-parameter") || error.diagnostics.map(\.id).contains("workflow.unsupported-parameter"))
        }
        #expect(harness.server.chatRequestCount == 0)
    }

    @Test func jsonStepsAreParsedAndCheckedAgainstTheirSchema() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        harness.server.setResponder { request in
            if request.lastUserMessage.contains("Review:") {
                return FakeResponse("```json\n{\"rating\": 4, \"sentiment\": \"positive\", \"pros\": [\"fast\"], \"cons\": []}\n```")
            }
            return FakeResponse("## What customers like\nSpeed.")
        }
        let (outcome, folder) = try await harness.run("review-digest", variables: [("product", "Kettle"), ("reviews", "[\"Fast.\", \"Quick.\"]")])
        #expect(outcome.status == .succeeded, "\(outcome.diagnostics)")
        let digestRequest = try #require(harness.server.chatRequests.last)
        #expect(digestRequest.lastUserMessage.contains("- review 1: {\"cons\":[],\"pros\":[\"fast\"],\"rating\":4,\"sentiment\":\"positive\"}"))
        let facts = harness.server.chatRequests.first
        #expect(facts?["response_format"]?.objectValue?["type"] == "json_schema")
        #expect(facts?["seed"] == .int(7))
        #expect(try harness.read("\(folder.relativePath)/digest.md") == "## What customers like\nSpeed.\n")

        // An answer that breaks the schema fails the step with the path of the problem.
        harness.server.setResponder { _ in FakeResponse("{\"rating\": \"four\"}") }
        let (bad, _) = try await harness.run("review-digest", variables: [("product", "K"), ("reviews", "[\"x\"]")], runID: "bad")
        #expect(bad.status == .failed)
        let error = try #require(bad.diagnostics.first(where: { $0.isError }))
        #expect(error.id == "run.post-processing")
        #expect(error.message.contains("step 'facts[1]' (review-extract@v1)"))
    }
}
