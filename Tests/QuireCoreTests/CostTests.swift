import QuireCore
import Testing

@Suite("Prices, costs, budgets and cache keys")
struct CostTests {
    @Test func builtInPricesAndDatedNames() throws {
        let table = PriceTable()
        let mini = try #require(table.price(for: "gpt-4o-mini"))
        #expect(mini == QuireConfig.Price(input: 0.15, cachedInput: 0.075, output: 0.60))
        #expect(table.price(for: "gpt-4o-2024-08-06") == table.price(for: "gpt-4o"))
        #expect(table.price(for: "gpt-4o-mini-2024-07-18") == mini)
        #expect(table.price(for: "gpt-4o")?.input == 2.50)
        #expect(table.price(for: "my-model") == nil)
        #expect(table.price(for: "gpt-4o-2024-08") == nil, "not a full date")
        #expect(PriceTable.family(of: "o3-2025-04-16") == "o3")
        #expect(PriceTable.family(of: "gpt-4o") == nil)
    }

    @Test func overridesWinAndApplyToDatedNames() {
        let table = PriceTable(overrides: ["gpt-4o": .init(input: 1, output: 2), "my-model": .init(input: 0.5, cachedInput: 0.25, output: 1.5)])
        #expect(table.price(for: "gpt-4o-2024-11-20") == .init(input: 1, output: 2))
        #expect(table.price(for: "my-model")?.cachedInput == 0.25)
    }

    @Test func costSplitsCachedPromptTokens() {
        let price = QuireConfig.Price(input: 2.50, cachedInput: 1.25, output: 10.00)
        // 1000 prompt (400 cached) + 200 completion: 600×2.5 + 400×1.25 + 200×10 = 4000 → $0.004.
        let cost = price.cost(of: Usage(promptTokens: 1000, completionTokens: 200, totalTokens: 1200, cachedTokens: 400))
        #expect(abs(cost - 0.004) < 1e-15)
        let noCachedPrice = QuireConfig.Price(input: 1, output: 1)
        #expect(abs(noCachedPrice.cost(of: Usage(promptTokens: 10, completionTokens: 0, totalTokens: 10, cachedTokens: 10)) - 0.00001) < 1e-15)
    }

    @Test func dollarsAreReadable() {
        #expect(RunBudget.dollars(0) == "$0")
        #expect(RunBudget.dollars(0.016) == "$0.016")
        #expect(RunBudget.dollars(0.4) == "$0.40")
        #expect(RunBudget.dollars(0.000123) == "$0.000123")
        #expect(RunBudget.dollars(1.5) == "$1.50")
        #expect(RunBudget.dollars(250) == "$250.00")
    }

    @Test func pricesInQuireYamlAreValidatedWithLocations() {
        let (config, problems) = QuireConfig.parse(text: """
            prices:
              my-model: {input: 0.5, cached_input: 0.25, output: 1.5}
              bad: {input: -1, output: 1}
              half: {input: 1}
            """)
        #expect(config.priceTable.price(for: "my-model") == .init(input: 0.5, cachedInput: 0.25, output: 1.5))
        #expect(problems.map(\.description).contains { $0.hasPrefix("quire.yaml:3:16: error: 'input' of 'bad': prices cannot be negative") }, "\(problems.map(\.description))")
        // A missing field is reported even beside other errors (every problem at once).
        #expect(problems.map(\.description).contains { $0.hasPrefix("quire.yaml:4:9: error: price of 'half' needs 'output'") }, "\(problems.map(\.description))")
        let (_, typo) = QuireConfig.parse(text: "prices:\n  m: {input: 1, output: 2, cahced_input: 1}\n")
        #expect(typo.first?.id == "config.unknown-key")
        #expect(typo.first?.location?.line == 2)
    }

    /// Prices that are not a real amount never reach the cost arithmetic (a NaN or infinite price once
    /// crashed a run after its calls, and a NaN price disabled `--max-cost`).
    @Test func pricesMustBeFiniteAndPlausible() {
        let (config, problems) = QuireConfig.parse(text: """
            prices:
              nan: {input: .nan, output: 1}
              inf: {input: 1, output: .inf}
              huge: {input: 1, output: 1e400}
              absurd: {input: 2e6, output: 1}
              fine: {input: 1000000, output: 0}
            """)
        let lines = problems.map(\.description)
        #expect(lines.contains { $0.hasPrefix("quire.yaml:2:16: error: 'input' of 'nan': a price must be a number of US dollars, not .nan [config.parameter-range]") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("quire.yaml:3:27: error: 'output' of 'inf': a price must be finite") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("quire.yaml:4:28: error: 'output' of 'huge': a price must be finite") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("quire.yaml:5:19: error: 'input' of 'absurd': a price over $1,000,000 per 1M tokens is surely a mistake") }, "\(lines)")
        #expect(problems.count == 4, "\(lines)")
        #expect(!lines.contains { $0.contains("needs") }, "a field that is there but wrong is not also reported missing: \(lines)")
        #expect(Set(config.prices.keys) == ["fine"])
    }

    @Test func dollarAmountsAreDecimalAndPositive() {
        for (text, amount) in [("0.50", 0.5), (".5", 0.5), ("12", 12.0), ("$5", 5.0), ("3.", 3.0)] {
            #expect(RunBudget.dollarAmount(text) == amount, "\(text)")
        }
        for text in ["", "$", ".", "-1", "0", "0.00", "0x10", "1e3", "inf", "nan", "1,5", " 1", "$-1", "1.2.3", "１"] {
            #expect(RunBudget.dollarAmount(text) == nil, "\(text)")
        }
        #expect(RunBudget.dollars(.nan) == "an unknown amount")
        #expect(RunBudget.dollars(.infinity) == "an unknown amount")
        #expect(RunBudget.dollars(1e300).hasPrefix("$1e+300"))
    }

    @Test func workflowBudgetIsParsedWithLocatedErrors() throws {
        let base = "name: w\nsteps:\n  - id: a\n    prompt: p\n"
        let (workflow, problems) = WorkflowParser.parse(text: base + "budget: {max_cost: 0.5, max_tokens: 2000}\n", name: "w", path: "workflows/w.yaml")
        #expect(problems.isEmpty)
        #expect(workflow?.budget?.maxCost == 0.5)
        #expect(workflow?.budget?.maxTokens == 2000)
        let (_, bad) = WorkflowParser.parse(text: base + "budget:\n  max_cost: -1\n  max_tokns: 5\n", name: "w", path: "workflows/w.yaml")
        let lines = bad.map(\.description)
        #expect(lines.contains { $0.hasPrefix("workflows/w.yaml:6:13: error: 'max_cost' must be a positive amount") }, "\(lines)")
        #expect(lines.contains { $0.contains("workflows/w.yaml:7:3") && $0.contains("did you mean 'max_tokens'") }, "\(lines)")
    }

    @Test func flagsOverrideTheFileFieldByField() {
        let file = RunBudget(maxCost: 1, maxTokens: 100)
        #expect(RunBudget(maxTokens: 5).merged(over: file) == RunBudget(maxCost: 1, maxTokens: 5))
        #expect(RunBudget().merged(over: nil).isEmpty)
    }

    @Test func estimateRefusesOverBudgetAndUnpricedModels() {
        var estimate = BudgetEstimate()
        estimate.add(step: "a", model: "gpt-4o", promptTokens: 1000, outputTokens: 1000, price: PriceTable().price(for: "gpt-4o"), free: false)
        // 1000 × 2.5 + 1000 × 10 = $0.0125
        #expect(abs(estimate.cost - 0.0125) < 1e-12)
        #expect(estimate.problems(for: RunBudget(maxCost: 0.02), costSource: "--max-cost", tokenSource: "--max-tokens").isEmpty)
        let over = estimate.problems(for: RunBudget(maxCost: 0.01, maxTokens: 1500), costSource: "--max-cost", tokenSource: "--max-tokens")
        #expect(over.map(\.id) == ["run.budget-exceeded", "run.budget-exceeded"])
        #expect(over.first?.message == "the estimated cost $0.0125 (1 call) exceeds the budget --max-cost $0.01; nothing was sent")
        estimate.add(step: "b", model: "mystery", promptTokens: 1, outputTokens: 1, price: nil, free: false)
        estimate.add(step: "c", model: "smollm", promptTokens: 1, outputTokens: 1, price: nil, free: true)
        #expect(estimate.problems(for: RunBudget(maxCost: 100), costSource: "--max-cost", tokenSource: "").map(\.id) == ["run.unknown-price"])
        #expect(estimate.problems(for: RunBudget(maxTokens: 10_000), costSource: "", tokenSource: "--max-tokens").isEmpty, "tokens need no price")
    }

    @Test func cacheKeysIgnoreSecretsAndNeedDeterminism() {
        let request = ChatRequest(model: "gpt-4o", messages: [ChatMessage(.user, "hi")], parameters: ModelParameters(temperature: 0))
        let a = ResponseCacheKey.key(provider: ResponseCacheKey.identity(baseURL: "https://user:secret@api.example.com/v1/?k=1"), request: request)
        let b = ResponseCacheKey.key(provider: ResponseCacheKey.identity(baseURL: "https://api.example.com/v1"), request: request)
        #expect(a == b)
        #expect(ResponseCacheKey.identity(baseURL: "https://user:secret@api.example.com/v1/") == "https://api.example.com/v1")
        // Each thing that is removed, alone (the URL is returned as it is only when there is none).
        let identities = [
            "https://api.example.com/v1": "https://api.example.com/v1",
            "http://127.0.0.1:8080/v1": "http://127.0.0.1:8080/v1",
            "https://api.example.com/v1//": "https://api.example.com/v1",
            "https://key@api.example.com/v1": "https://api.example.com/v1",
            "https://api.example.com/v1?key=secret": "https://api.example.com/v1",
            "https://api.example.com/v1#part": "https://api.example.com/v1",
            "https://api.example.com/v1/x@y": "https://api.example.com/v1/x@y",
        ]
        for (base, identity) in identities {
            #expect(ResponseCacheKey.identity(baseURL: base) == identity, "\(base)")
        }
        #expect(a != ResponseCacheKey.key(provider: "http://127.0.0.1:1/v1", request: request))
        var other = request
        other.model = "gpt-4o-mini"
        #expect(a != ResponseCacheKey.key(provider: ResponseCacheKey.identity(baseURL: "https://api.example.com/v1"), request: other))
        #expect(ResponseCacheKey.isDeterministic(ModelParameters(temperature: 0)))
        #expect(ResponseCacheKey.isDeterministic(ModelParameters(temperature: 0.9, seed: 1)))
        #expect(!ResponseCacheKey.isDeterministic(ModelParameters(temperature: 0.7)))
        #expect(!ResponseCacheKey.isDeterministic(ModelParameters()))
    }

    @Test func cachedAnswersRoundTripAndRejectGarbage() throws {
        let answer = CachedAnswer(provider: "p", request: ["model": "m"], content: "text", finishReason: "stop", model: "m-1", usage: Usage(promptTokens: 3, completionTokens: 4, totalTokens: 7, cachedTokens: 2))
        #expect(try CachedAnswer(json: answer.json) == answer)
        #expect(throws: ManifestError.self) { try CachedAnswer(json: "{ nope") }
        #expect(throws: ManifestError.self) { try CachedAnswer(json: "{\"format_version\": 99}") }
    }

    @Test func manifestCarriesCostAndCacheHits() throws {
        var manifest = RunManifest(quireVersion: "t", runID: "r", workflow: "w", workflowPath: "w.yaml", workflowSHA256: "", caseName: nil, startedAt: "s", inputs: [:], order: ["a"])
        let stamp = PromptStamp(name: "p", version: 1, path: "", sha256: "")
        manifest.steps["a"] = StepRecord(id: "a", kind: "prompt", status: .succeeded, prompt: stamp, calls: [
            CallRecord(item: 1, status: .succeeded, provider: "x", model: "m", parameters: [:], requestSHA256: "", usage: Usage(promptTokens: 1, completionTokens: 1, totalTokens: 2), costUSD: 0.5),
            CallRecord(item: 2, status: .succeeded, provider: "x", model: "m", parameters: [:], requestSHA256: "", usage: Usage(promptTokens: 5, completionTokens: 5, totalTokens: 10), costUSD: 0, cacheHit: true),
        ])
        #expect(manifest.costUSD == 0.5)
        #expect(manifest.usage.totalTokens == 2, "hits are not counted")
        let value = manifest.value.objectValue ?? [:]
        #expect(value["cost_usd"] == .double(0.5))
        #expect(value["cache_hits"] == .int(1))
        let call = value["steps"]?.objectValue?["a"]?.objectValue?["calls"]?.listValue?.last?.objectValue
        #expect(call?["cache_hit"] == .bool(true))
        #expect(call?["cost_usd"] == .double(0))
        let back = try RunManifest(value: JSONText.decode(manifest.json))
        #expect(back.steps["a"]?.calls.map(\.cacheHit) == [false, true])
        #expect(back.costUSD == 0.5)
        // An unknown price makes the totals unknown, not smaller.
        manifest.steps["a"]?.calls[0].costUSD = nil
        #expect(manifest.costUSD == nil)
        #expect(manifest.value.objectValue?["cost_usd"] == .null)
    }
}
