import Foundation
import QuireCore
import QuireProviders

/// Checks an OpenAI-compatible provider by talking to it: is it reachable, which models it lists,
/// whether a tiny completion works, and which parameters it honours (not just accepts) — so the
/// capability flags of its `quire.yaml` row can be set from evidence.
///
/// Every check is a small request at temperature 0 (the seed check uses temperature 1) with a few
/// tokens of output. What "honoured" means is observable: `max_tokens: 5` gives at most 5 completion
/// tokens and `finish_reason: length`; a seed gives the same answer twice at temperature 1; a stop
/// sequence taken from an answer cuts the same answer just before it; a JSON schema gives JSON that
/// validates against it.
public struct ProviderDoctor: Sendable {
    public typealias ClientFactory = @Sendable (ProviderConfiguration) -> any ModelClient

    public let configuration: ProviderConfiguration
    /// The model to ask; nil: the first one `GET /models` lists.
    public let model: String?
    let makeClient: ClientFactory

    /// - Parameter configuration: the provider; its capabilities are ignored (every parameter is tried).
    public init(configuration: ProviderConfiguration, model: String?, makeClient: ClientFactory? = nil) {
        var configuration = configuration
        configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(200), maxDelay: .seconds(2), deadline: .seconds(120))
        self.configuration = configuration
        self.model = model
        self.makeClient = makeClient ?? { OpenAIClient(configuration: $0) }
    }

    /// Runs every check; never throws: failures are rows of the report.
    public func run() async -> DoctorReport {
        var report = DoctorReport(provider: configuration.name, baseURL: configuration.baseURL, model: model ?? "")
        var probe = configuration
        probe.capabilities = ProviderCapabilities()
        let client = makeClient(probe)
        var renamed = probe
        renamed.capabilities.outputLimitParameter = "max_completion_tokens"
        let renamedClient = makeClient(renamed)
        await checks(client: client, renamedClient: renamedClient, into: &report)
        await (client as? OpenAIClient)?.shutdown()
        await (renamedClient as? OpenAIClient)?.shutdown()
        return report
    }

    func checks(client: any ModelClient, renamedClient: any ModelClient, into report: inout DoctorReport) async {
        // Reachable, and which models.
        var listed: [String]?
        let started = ContinuousClock.now
        do throws(ProviderError) {
            let models = try await client.listModels()
            listed = models
            let shown = models.prefix(5).joined(separator: ", ") + (models.count > 5 ? ", …" : "")
            report.add("reachable", .ok, "GET /models answered in \(Self.milliseconds(ContinuousClock.now - started))")
            report.add("models", models.isEmpty ? .warning : .ok, models.isEmpty ? "the list is empty" : "\(models.count): \(shown)")
        } catch {
            if [.connection, .timeout, .configuration, .authentication, .retriesExhausted].contains(error.kind) {
                report.add("reachable", .failed, error.message)
                report.skipRemaining(after: "reachable", because: "not reachable")
                return
            }
            report.add("reachable", .ok, "the server answers")
            report.add("models", .warning, "GET /models failed: \(error.message)")
        }
        guard let model = model ?? listed?.first else {
            report.add("completion", .failed, "no model to ask: pass --model")
            report.skipRemaining(after: "completion", because: "no model")
            return
        }
        report.model = model
        if let listed, !listed.isEmpty, !listed.contains(model) {
            report.add("model", .warning, "'\(model)' is not among the listed models")
        }


        // A tiny completion.
        let tiny = await complete(client, model, "Reply with the single word OK.", ModelParameters(temperature: 0, maxTokens: 16, seed: 1))
        switch tiny {
        case .failure(let error):
            report.add("completion", .failed, error.message)
            report.skipRemaining(after: "completion", because: "completions fail")
            return
        case .success(let answer):
            let usage = answer.usage.map { "\($0.prompt) + \($0.completion) tokens" } ?? "no usage reported"
            report.add("completion", .ok, "\(Self.quote(answer.content)) in \(Self.milliseconds(answer.latency)), \(usage), finish_reason \(answer.finishReason?.rawValue ?? "none"); answered as '\(answer.model)'")
            if answer.usage == nil { report.add("usage", .warning, "answers carry no token usage, so runs cannot count tokens") }
        }

        // Output limits, under both names.
        let long = "Count from 1 to 200, separated by spaces."
        for (name, limitClient) in [("max_tokens", client), ("max_completion_tokens", renamedClient)] {
            let result = await complete(limitClient, model, long, ModelParameters(temperature: 0, maxTokens: 5, seed: 1))
            switch result {
            case .failure(let error):
                report.add(name, error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "output_limit")
            case .success(let answer):
                let tokens = answer.usage?.completion
                let limited = (tokens.map { $0 <= 5 } ?? true) && answer.finishReason == .length
                let detail = "asked for 5: \(tokens.map { "\($0) completion tokens" } ?? "no usage"), finish_reason \(answer.finishReason?.rawValue ?? "none")"
                report.add(name, limited ? .honoured : .ignored, detail, capability: "output_limit")
            }
        }

        // Seed: the same answer twice at temperature 1.
        let random = ModelParameters(temperature: 1, maxTokens: 24, seed: 4242)
        let first = await complete(client, model, "Write one sentence about the sea.", random)
        let second = await complete(client, model, "Write one sentence about the sea.", random)
        switch (first, second) {
        case (.success(let a), .success(let b)):
            report.add("seed", a.content == b.content ? .honoured : .ignored, a.content == b.content ? "the same answer twice at temperature 1 with seed 4242" : "two different answers at temperature 1 with seed 4242", capability: "seed")
        case (.failure(let error), _), (_, .failure(let error)):
            report.add("seed", error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "seed")
        }

        // Stop: cut a known answer just before one of its own words.
        let baselineParameters = ModelParameters(temperature: 0, maxTokens: 32, seed: 7)
        let baselinePrompt = "Describe a bicycle in one sentence."
        if case .success(let baseline) = await complete(client, model, baselinePrompt, baselineParameters),
            let word = Self.stopWord(in: baseline.content), let cut = baseline.content.range(of: word)
        {
            var parameters = baselineParameters
            parameters.stop = [word]
            switch await complete(client, model, baselinePrompt, parameters) {
            case .success(let answer):
                let expected = String(baseline.content[..<cut.lowerBound])
                let honoured = !answer.content.contains(word) && answer.content.trimmingCharacters(in: .whitespacesAndNewlines) == expected.trimmingCharacters(in: .whitespacesAndNewlines)
                report.add("stop", honoured ? .honoured : .ignored, honoured ? "stopped before \(Self.quote(word)), finish_reason \(answer.finishReason?.rawValue ?? "none")" : "the answer did not stop before \(Self.quote(word))", capability: "stop")
            case .failure(let error):
                report.add("stop", error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "stop")
            }
        } else {
            report.add("stop", .skipped, "no answer long enough to take a stop sequence from", capability: "stop")
        }

        // Sampling parameters: accepted without an error.
        switch await complete(client, model, "Say hello.", ModelParameters(temperature: 0, maxTokens: 8, topP: 0.5)) {
        case .success: report.add("top_p", .accepted, "accepted (its effect is not measured)", capability: "top_p")
        case .failure(let error): report.add("top_p", error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "top_p")
        }
        switch await complete(client, model, "Say hello.", ModelParameters(temperature: 0, maxTokens: 8, presencePenalty: 0.1, frequencyPenalty: 0.1)) {
        case .success: report.add("penalties", .accepted, "presence_penalty and frequency_penalty accepted (their effect is not measured)", capability: "penalties")
        case .failure(let error): report.add("penalties", error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "penalties")
        }

        // Streaming, with usage in the stream; first-token latency and speed.
        let firstDelta = FirstDelta()
        let streamStart = ContinuousClock.now
        switch await complete(client, model, "Write three sentences about rivers.", ModelParameters(temperature: 0, maxTokens: 64, seed: 3), stream: true, onDelta: { delta in
            firstDelta.record(delta, at: ContinuousClock.now)
        }) {
        case .success(let answer):
            let (count, first) = firstDelta.snapshot()
            var detail = "\(count) chunk\(count == 1 ? "" : "s")"
            if let first {
                let ttft = first - streamStart
                detail += ", first text after \(Self.milliseconds(ttft))"
                if let tokens = answer.usage?.completion, tokens > 1 {
                    let rest = answer.latency - ttft
                    let seconds = Double(rest.components.seconds) + Double(rest.components.attoseconds) / 1e18
                    if seconds > 0 { detail += String(format: ", %.0f tokens/s", Double(tokens - 1) / seconds) }
                }
                report.firstTokenMilliseconds = Self.millisecondsValue(ttft)
            }
            report.add("streaming", count > 0 && !answer.content.isEmpty ? .ok : .failed, detail, capability: "streaming")
            report.add("stream_usage", answer.usage != nil ? .honoured : .ignored, answer.usage.map { "usage in the stream: \($0.prompt) + \($0.completion) tokens" } ?? "no usage in the stream (stream_options.include_usage)", capability: "stream_usage")
        case .failure(let error):
            report.add("streaming", error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "streaming")
            report.add("stream_usage", .skipped, "streaming failed", capability: "stream_usage")
        }

        // JSON: any object, then one that follows a schema.
        switch await complete(client, model, "Answer with a JSON object with one key \"answer\" whose value is \"yes\".", ModelParameters(temperature: 0, maxTokens: 48, seed: 5, responseFormat: .jsonObject)) {
        case .success(let answer):
            let parsed = try? JSONText.decode(answer.content)
            report.add("json_object", parsed?.objectValue != nil ? .honoured : .ignored, parsed?.objectValue != nil ? "a JSON object" : "not a JSON object: \(Self.quote(answer.content))", capability: "json_object")
        case .failure(let error):
            report.add("json_object", error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "json_object")
        }
        let schema: Value = [
            "type": "object", "additionalProperties": false, "required": ["city", "population"],
            "properties": ["city": ["type": "string"], "population": ["type": "integer"]],
        ]
        switch await complete(client, model, "Describe Paris as JSON with its name and population.", ModelParameters(temperature: 0, maxTokens: 64, seed: 5, responseFormat: .jsonSchema(name: "city", schema: schema, strict: true))) {
        case .success(let answer):
            if let parsed = try? JSONText.decode(answer.content) {
                let violations = JSONSchema(schema).validate(parsed)
                report.add("json_schema", violations.isEmpty ? .honoured : .ignored, violations.isEmpty ? "JSON that follows the schema" : "JSON that breaks the schema: \(violations.map(\.description).prefix(2).joined(separator: "; "))", capability: "json_schema")
            } else {
                report.add("json_schema", .ignored, "not JSON: \(Self.quote(answer.content))", capability: "json_schema")
            }
        case .failure(let error):
            report.add("json_schema", error.kind == .badRequest ? .unsupported : .failed, error.message, capability: "json_schema")
        }
    }

    func complete(_ client: any ModelClient, _ model: String, _ prompt: String, _ parameters: ModelParameters, stream: Bool = false, onDelta: (@Sendable (String) -> Void)? = nil) async -> Result<ChatCompletion, ProviderError> {
        let request = ChatRequest(model: model, messages: [ChatMessage(.user, prompt)], parameters: parameters)
        do throws(ProviderError) {
            return .success(try await client.complete(request, stream: stream, onDelta: onDelta))
        } catch {
            return .failure(error)
        }
    }

    /// A word of the answer to stop at: the first of at least four letters after the second word.
    static func stopWord(in text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.count >= 4 else { return nil }
        for word in words.dropFirst(2) where word.count >= 4 && word.allSatisfy(\.isLetter) {
            return word
        }
        return nil
    }

    static func quote(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: "⏎")
        return "\"" + (flat.count > 60 ? flat.prefix(60) + "…" : flat) + "\""
    }

    static func millisecondsValue(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    static func milliseconds(_ duration: Duration) -> String { "\(millisecondsValue(duration)) ms" }
}

/// The first streamed piece's arrival, and how many pieces came.
final class FirstDelta: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var first: ContinuousClock.Instant?

    func record(_ delta: String, at instant: ContinuousClock.Instant) {
        lock.lock()
        defer { lock.unlock() }
        guard !delta.isEmpty else { return }
        count += 1
        if first == nil { first = instant }
    }

    func snapshot() -> (Int, ContinuousClock.Instant?) {
        lock.lock()
        defer { lock.unlock() }
        return (count, first)
    }
}
