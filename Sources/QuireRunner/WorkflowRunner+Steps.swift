import Foundation
import QuireCore
import QuireProviders

extension WorkflowRunner {
    /// Runs one step (all its items for a fan-out) and records it.
    func execute(_ step: StepAnalysis, inputs: [String: Value], outputs: [String: Value], reusedItems: [Int: Value], limiter: RateLimiter, budget: BudgetGuard?) async -> StepResult {
        let id = step.step.id
        let stopwatch = ContinuousClock.now
        var record = StepRecord(id: id, kind: kind(of: step), status: .running, prompt: stamp(step))

        // Fan-out items, or a single call.
        var items: [StepRenderer.FanOutItem?] = [nil]
        if let source = step.step.forEach {
            guard let list = (outputs[source] ?? inputs[source])?.listValue else {
                let got = (outputs[source] ?? inputs[source])?.typeName ?? "nothing"
                let diagnostic = Diagnostic.error("run.for-each-not-list", "\(context(step, item: nil)): 'for_each' needs a list, but '\(source)' produced \(got)")
                return await fail(step, record: record, diagnostic)
            }
            items = list.enumerated().map { StepRenderer.FanOutItem(value: $1, index: $0 + 1, count: list.count) }
        }
        // On resume, keep the records of the items that finished before; forget the rest.
        if !reusedItems.isEmpty, let earlier = await store.manifest.steps[id] {
            record.calls = earlier.calls.filter { $0.status == .succeeded && $0.item.map { reusedItems[$0] != nil } == true }
            record.outputs = record.calls.compactMap(\.output)
        }
        if step.step.kind.callsModel {
            // On disk before any call: the journal's lines for this step are read back against it.
            do { try await store.update(record) } catch {
                return await fail(step, record: record, writeFailure(error, path: "manifest.json", label: context(step, item: nil)))
            }
        } else {
            await store.stage(record)
        }
        observer.handle(.stepStarted(id: id, items: step.step.forEach != nil ? items.count : nil))

        var results: [Int: Value] = reusedItems
        var problems: [Diagnostic] = []
        var tokens = 0, retries = 0, calls = 0
        let pending = items.compactMap { $0 }.filter { reusedItems[$0.index] == nil }

        if step.step.forEach == nil {
            let outcome = await runOne(step, inputs: inputs, outputs: outputs, item: nil, limiter: limiter, budget: budget)
            tokens += outcome.tokens
            retries += outcome.retries
            calls += outcome.called ? 1 : 0
            problems += outcome.diagnostics
            if let value = outcome.value { results[0] = value }
        } else {
            // Bounded window of concurrent items; each model call also takes a permit from the run-wide limiter.
            let window = max(1, options.concurrency)
            var done = reusedItems.count
            await withTaskGroup(of: (Int, ItemOutcome).self) { group in
                var iterator = pending.makeIterator()
                for _ in 0..<window {
                    guard let item = iterator.next() else { break }
                    group.addTask { (item.index, await self.runOne(step, inputs: inputs, outputs: outputs, item: item, limiter: limiter, budget: budget)) }
                }
                for await (index, outcome) in group {
                    tokens += outcome.tokens
                    retries += outcome.retries
                    calls += outcome.called ? 1 : 0
                    problems += outcome.diagnostics
                    if let value = outcome.value {
                        results[index] = value
                        done += 1
                        observer.handle(.itemFinished(step: id, done: done, total: items.count, tokens: outcome.tokens))
                    }
                    if Task.isCancelled { continue }
                    if let next = iterator.next() {
                        group.addTask { (next.index, await self.runOne(step, inputs: inputs, outputs: outputs, item: next, limiter: limiter, budget: budget)) }
                    }
                }
            }
        }

        let errors = problems.filter(\.isError)
        for warning in problems where !warning.isError { observer.handle(.warning(warning)) }
        let finishedAll = step.step.forEach == nil ? results[0] != nil : results.count == items.count
        guard errors.isEmpty, finishedAll, !Task.isCancelled else {
            var current = await store.manifest.steps[id] ?? record
            current.status = .failed
            current.error = errors.first?.message ?? (Task.isCancelled ? "interrupted" : "not finished")
            current.warnings = problems.filter { !$0.isError }.map(\.message)
            try? await store.update(current)
            if let first = errors.first { observer.handle(.stepFailed(id: id, diagnostic: first)) }
            return StepResult(id: id, value: nil, diagnostics: problems)
        }

        let value: Value = step.step.forEach == nil ? results[0]! : .list(items.compactMap { $0 }.map { results[$0.index]! })
        var current = await store.manifest.steps[id] ?? record
        current.status = .succeeded
        current.warnings = problems.filter { !$0.isError }.map(\.message)
        current.outputs.sort()
        // Written with the next write of the manifest, which follows at once: the start of a step that
        // was waiting for this one, or ``WorkflowRunner/run(inputs:previous:previousItems:)``'s own.
        await store.stage(current)
        observer.handle(.stepFinished(id: id, elapsed: ContinuousClock.now - stopwatch, tokens: tokens, retries: retries, calls: calls))
        return StepResult(id: id, value: value, diagnostics: problems)
    }

    func fail(_ step: StepAnalysis, record: StepRecord, _ diagnostic: Diagnostic) async -> StepResult {
        var record = record
        record.status = .failed
        record.error = diagnostic.message
        try? await store.update(record)
        observer.handle(.stepFailed(id: step.step.id, diagnostic: diagnostic))
        return StepResult(id: step.step.id, value: nil, diagnostics: [diagnostic])
    }

    struct ItemOutcome: Sendable {
        var value: Value?
        var diagnostics: [Diagnostic] = []
        var tokens = 0
        var retries = 0
        var called = false
    }

    /// Renders, calls (for model steps), post-processes and writes one output.
    func runOne(_ step: StepAnalysis, inputs: [String: Value], outputs: [String: Value], item: StepRenderer.FanOutItem?, limiter: RateLimiter, budget: BudgetGuard?) async -> ItemOutcome {
        let id = step.step.id
        let providerName = self.providerName(for: step)
        let provider = step.step.kind.callsModel ? resolver.provider(named: providerName) : nil
        let templateContext = renderer.context(for: step, inputs: inputs, outputs: outputs, item: item)
        let rendered: RenderedStep
        do {
            rendered = try renderer.render(step, context: templateContext, item: item?.index, provider: provider)
        } catch {
            return ItemOutcome(value: nil, diagnostics: error.diagnostics)
        }
        let label = context(step, item: item?.index)

        guard step.step.kind.callsModel, let provider else {
            // A template step: the rendered text is the output.
            return await finish(step, item: item?.index, raw: rendered.text, call: nil, label: label)
        }

        var parameters = rendered.parameters
        if let model = options.model { parameters.model = model }
        guard let model = parameters.model else {
            return ItemOutcome(value: nil, diagnostics: [.error("run.no-model", "\(label): no model set")])
        }
        parameters.model = nil
        let request = ChatRequest(model: model, messages: rendered.messages, parameters: parameters)
        let client: any ModelClient
        do {
            client = decorated(try await clients.client(for: provider), provider: provider, model: model, step: id, budget: budget)
        } catch {
            return ItemOutcome(value: nil, diagnostics: error.diagnostics)
        }
        var call = CallRecord(
            item: item?.index, status: .running, provider: provider.name, model: model,
            parameters: Self.sentParameters(parameters, capabilities: provider.capabilities), requestSHA256: request.hash)

        let permit: RateLimiter.Permit
        do { permit = try await limiter.acquire() } catch {
            return ItemOutcome(value: nil, diagnostics: [.error("run.interrupted", "\(label): interrupted before it was sent")])
        }
        let streamLabel = item.map { "\(id)[\($0.index)]" } ?? id
        let observer = self.observer
        var onDelta: (@Sendable (String) -> Void)?
        if options.stream {
            onDelta = { text in observer.handle(.delta(label: streamLabel, text: text)) }
        }
        let completion: ChatCompletion
        let started = ContinuousClock.now
        do throws(ProviderError) {
            completion = try await client.complete(request, stream: options.stream, onDelta: onDelta)
            await limiter.release(permit)
        } catch {
            await limiter.release(permit)
            // A call the budget did not allow was never sent: refused, not failed.
            call.status = error.kind == .budgetExceeded ? .refused : .failed
            call.error = error.message
            call.retries = max(0, error.attempts - 1)
            // Its attempts and back-off waits, as the client measured them (else as measured here); 0 when nothing was sent.
            call.latencyMilliseconds = error.attempts == 0 ? 0 : Self.milliseconds(error.elapsed ?? ContinuousClock.now - started)
            // Nothing is known of what a failed call used; one never sent cost nothing.
            call.costUSD = error.attempts == 0 || pricing(provider, model: model).free ? 0 : nil
            try? await store.recordCall(step: id, call: call, output: nil)
            var diagnostic = error.diagnostic(context: label)
            if error.kind == .cancelled { diagnostic = .error("run.interrupted", "\(label): interrupted") }
            if error.kind == .budgetExceeded {
                diagnostic = .error(
                    "run.budget-exceeded", "\(label): \(error.message); the run stops here",
                    suggestion: "continue with a bigger budget: --resume with a higher --max-cost / --max-tokens")
            }
            return ItemOutcome(value: nil, diagnostics: [diagnostic], retries: call.retries, called: call.status != .refused)
        }
        call.responseModel = completion.model
        call.usage = Usage(
            promptTokens: completion.usage?.prompt ?? 0, completionTokens: completion.usage?.completion ?? 0,
            totalTokens: completion.usage?.total ?? 0, cachedTokens: completion.usage?.cachedPrompt ?? 0)
        call.cacheHit = completion.cacheHit
        call.costUSD = cost(of: completion, provider: provider, model: model)
        if completion.cacheHit { observer.handle(.cacheHit(step: id, item: item?.index)) }
        call.latencyMilliseconds = Self.milliseconds(completion.latency)
        call.finishReason = completion.finishReason?.rawValue
        call.retries = completion.retries

        var warnings: [Diagnostic] = []
        if completion.finishReason == .length {
            let limit = parameters.maxTokens.map { " (max_tokens \($0))" } ?? ""
            let message = "\(label) stopped at the output limit\(limit): the answer is probably cut off"
            if step.step.onLength == .error {
                call.status = .failed
                call.error = message
                try? await store.writeOutput(completion.content, to: RunFolder.rawPath(step: id, item: item?.index))
                try? await store.recordCall(step: id, call: call, output: nil)
                return ItemOutcome(value: nil, diagnostics: [.error("run.output-truncated", message, suggestion: "raise max_tokens, or set on_length: warn")], tokens: call.cacheHit ? 0 : call.usage.totalTokens, retries: call.retries, called: true)
            }
            warnings.append(.warning("run.output-truncated", message, suggestion: "raise max_tokens for step '\(id)', or set on_length: error to fail instead"))
        }
        var outcome = await finish(step, item: item?.index, raw: completion.content, call: call, label: label)
        outcome.diagnostics = warnings + outcome.diagnostics
        outcome.tokens = call.cacheHit ? 0 : call.usage.totalTokens
        outcome.retries = call.retries
        outcome.called = true
        return outcome
    }

    /// Post-processes a raw output, writes it (and the raw answer for model calls), and records the call.
    func finish(_ step: StepAnalysis, item: Int?, raw: String, call: CallRecord?, label: String) async -> ItemOutcome {
        let id = step.step.id
        var call = call
        var writing = RunFolder.rawPath(step: id, item: item)
        do {
            let value: Value
            do {
                value = try step.step.post.apply(to: raw)
            } catch {
                if call != nil { try await store.writeOutput(raw, to: writing) }
                call?.status = .failed
                call?.error = "post-processing failed: \(error)"
                if let call { try? await store.recordCall(step: id, call: call, output: nil) }
                let rawNote = call != nil ? ["the raw answer is in \(store.folder.relativePath)/\(RunFolder.rawPath(step: id, item: item))"] : []
                // A cached answer would fail the same way at every run: say how to ask the model again.
                let fromCache = call?.cacheHit == true ? "the answer came from the response cache; --refresh \(id) asks the model again" : nil
                return ItemOutcome(value: nil, diagnostics: [.error("run.post-processing", "\(label): \(error)", notes: rawNote, suggestion: fromCache)])
            }
            let path = RunFolder.outputPath(step: id, item: item, value: value)
            let contents = RunFolder.contents(of: value)
            // The raw answer gets a file of its own only when post-processing changed it: one file
            // creation per call instead of two, which is most of a fan-out's file-system cost.
            if call != nil && contents != raw { try await store.writeOutput(raw, to: writing) }
            writing = path
            try await store.writeOutput(contents, to: path)
            call?.status = .succeeded
            call?.output = path
            if let call {
                writing = RunJournal.fileName
                try await store.recordCall(step: id, call: call, output: path)
            } else {
                await store.addOutput(step: id, path: path)
            }
            return ItemOutcome(value: value)
        } catch {
            return ItemOutcome(value: nil, diagnostics: [writeFailure(error, path: writing, label: label)])
        }
    }

    /// US dollars for an answer: 0 from the cache or a `local` provider; nil when the model has no
    /// price or the provider reported no usage.
    func cost(of completion: ChatCompletion, provider: ProviderConfig, model: String) -> Double? {
        if completion.cacheHit || provider.kind == .local { return 0 }
        guard let usage = completion.usage else { return nil }
        let prices = workspace.config.priceTable
        guard let price = prices.price(for: completion.model) ?? prices.price(for: model) else { return nil }
        return price.cost(of: Usage(promptTokens: usage.prompt, completionTokens: usage.completion, totalTokens: usage.total, cachedTokens: usage.cachedPrompt))
    }

    /// Whole milliseconds of a duration, as the manifest records latencies.
    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The parameters as sent in the request body, with the provider's name for the output limit.
    static func sentParameters(_ parameters: ModelParameters, capabilities: ProviderCapabilities) -> [String: Value] {
        var fields: [String: Value] = [:]
        for field in parameters.bodyFields {
            fields[field.key == "max_tokens" ? capabilities.outputLimitParameter : field.key] = field.value
        }
        return fields
    }
}
