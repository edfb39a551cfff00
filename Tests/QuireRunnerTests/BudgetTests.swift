import Foundation
import QuireCore
import QuireProviders
import QuireRunner
import QuireTestSupport
import Testing

/// `--max-cost` / `--max-tokens` and `budget:`: checked before the run, and before every call.
@Suite("Budgets", .serialized)
struct BudgetTests {
    static let prices = "prices:\n  fake-model: {input: 1000, output: 2000}"

    @Test func anEstimateOverTheBudgetSendsNothing() async throws {
        let harness = try await RunnerHarness(extraConfig: Self.prices)
        defer { Task { await harness.stop() } }
        harness.answerPlans(with: ["A", "B"])
        // The plan alone: its prompt plus max_tokens 200 at $2000/M output is more than $0.40.
        do {
            _ = try await harness.run("publishing-report", variables: [("topic", "budgets")], options: RunOptions(budget: RunBudget(maxCost: 0.40)))
            Issue.record("the run should have been refused")
        } catch let error as DiagnosticError {
            let problem = try #require(error.diagnostics.first)
            #expect(problem.id == "run.budget-exceeded")
            #expect(problem.message.contains("exceeds the budget --max-cost $0.40"), "\(problem.message)")
            #expect(problem.notes.contains { $0.contains("'sections'") }, "the fan-out over the plan is not counted: \(problem.notes)")
        }
        #expect(harness.server.requestCount == 0, "nothing reached the server")

        // A token budget from the workflow file, same story.
        let workflow = try harness.read("workflows/publishing-report.yaml") + "budget: {max_tokens: 100}\n"
        try harness.write("workflows/publishing-report.yaml", workflow)
        await #expect(throws: DiagnosticError.self) {
            _ = try await harness.run("publishing-report", variables: [("topic", "budgets")])
        }
        #expect(harness.server.requestCount == 0)
        // The command line wins over the file.
        let (outcome, _) = try await harness.run("publishing-report", variables: [("topic", "budgets")], options: RunOptions(budget: RunBudget(maxTokens: 100_000)))
        #expect(outcome.status == .succeeded, "\(outcome.diagnostics)")
    }

    @Test func aCostBudgetNeedsAPrice() async throws {
        let harness = try await RunnerHarness()
        defer { Task { await harness.stop() } }
        do {
            _ = try await harness.run("publishing-report", variables: [("topic", "x")], options: RunOptions(budget: RunBudget(maxCost: 100)))
            Issue.record("the run should have been refused")
        } catch let error as DiagnosticError {
            #expect(error.diagnostics.first?.id == "run.unknown-price")
            #expect(error.diagnostics.first?.message.contains("'fake-model'") == true)
        }
        #expect(harness.server.requestCount == 0)
    }

    @Test func aCallThatCouldGoOverStopsTheRunWhichResumesWithABiggerBudget() async throws {
        let harness = try await RunnerHarness(extraConfig: Self.prices)
        defer { Task { await harness.stop() } }
        harness.answerPlans(with: ["A", "B", "C"])
        // Enough for the plan (prompt + 200) but not for a section on top (its prompt + 400).
        let prepared = try harness.prepare("publishing-report", variables: [("topic", "budgets")])
        let resolver = ProviderResolver(config: prepared.workspace.config, environment: [:])
        let runner = WorkflowRunner(
            workspace: prepared.workspace, analysis: prepared.analysis, resolver: resolver, clients: ClientPool(resolver: resolver),
            store: RunStore(folder: RunFolder(url: harness.root, relativePath: "."), manifest: RunManifest(
                quireVersion: "t", runID: "t", workflow: "w", workflowPath: "", workflowSHA256: "", caseName: nil, startedAt: "", inputs: [:], order: []), clock: { Date() }),
            options: RunOptions())
        let estimate = runner.estimate(inputs: prepared.inputs)
        #expect(estimate.calls == 1)
        #expect(estimate.unknownFanOuts == ["sections"])
        let limit = estimate.tokens + 10

        let (outcome, folder) = try await harness.run(
            "publishing-report", variables: [("topic", "budgets")], options: RunOptions(budget: RunBudget(maxTokens: limit)))
        #expect(outcome.status == .failed)
        #expect(harness.server.chatRequestCount == 1, "only the plan was sent")
        let refusals = outcome.diagnostics.filter { $0.id == "run.budget-exceeded" }
        #expect(refusals.count == 3, "every section refused: \(refusals)")
        #expect(refusals.allSatisfy { $0.message.hasPrefix("step 'sections[") })
        #expect(refusals.contains { $0.message.contains("+ up to") && $0.message.contains("> --max-tokens \(limit)") }, "\(refusals)")
        #expect(outcome.manifest.steps["sections"]?.status == .failed)
        #expect(outcome.manifest.steps["plan"]?.status == .succeeded)
        #expect(outcome.manifest.steps["sections"]?.calls.allSatisfy { $0.costUSD == 0 } == true, "refused calls cost nothing")
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("steps/plan.json").path))

        // Resumed with a bigger budget: the plan is not paid again.
        let (resumed, _) = try await harness.run(
            "publishing-report", options: RunOptions(budget: RunBudget(maxTokens: 100_000)), resume: true)
        #expect(resumed.status == .succeeded, "\(resumed.diagnostics)")
        #expect(harness.server.chatRequestCount == 4)
        let cost = try #require(resumed.manifest.costUSD)
        let expected = resumed.manifest.steps.values.flatMap(\.calls).reduce(0.0) {
            $0 + (Double($1.usage.promptTokens) * 1000 + Double($1.usage.completionTokens) * 2000) / 1_000_000
        }
        #expect(abs(cost - expected) < 1e-9)
    }

    @Test func inFlightCallsCountAndTheFirstRefusalStopsNewCalls() {
        let guardian = BudgetGuard(budget: RunBudget(maxCost: 1.0, maxTokens: 1000), costSource: "--max-cost", tokenSource: "--max-tokens", spentTokens: 100, spentCost: 0.1)
        guard case .success(let first) = guardian.reserve(tokens: 500, cost: 0.5, model: "m") else { Issue.record("should fit"); return }
        // 100 spent + 500 in flight + 500 > 1000.
        guard case .failure(let refusal) = guardian.reserve(tokens: 500, cost: 0.1, model: "m") else { Issue.record("should not fit"); return }
        #expect(refusal.message == "budget exceeded: 100 tokens spent and 500 in flight + up to 500 for this call > --max-tokens 1000")
        guardian.settle(first, tokens: 50, cost: 0.05)
        #expect(guardian.spent.tokens == 150)
        // It would fit now, but the run is stopping.
        guard case .failure(let later) = guardian.reserve(tokens: 10, cost: 0.01, model: "m") else { Issue.record("no new call after a refusal"); return }
        #expect(later.message.contains("earlier in this run"))

        let costs = BudgetGuard(budget: RunBudget(maxCost: 0.01), costSource: "--max-cost", tokenSource: "--max-tokens")
        guard case .failure(let unpriced) = costs.reserve(tokens: 1, cost: nil, model: "mystery") else { Issue.record("no price, no call"); return }
        #expect(unpriced.message.contains("'mystery' has no price"))
    }
}
