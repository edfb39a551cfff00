import Foundation
import QuireCore
import QuireProviders
import QuireTestSupport
import Testing

@Suite("OpenAIClient against the fake server", .timeLimit(.minutes(1)))
struct OpenAIClientTests {
    @Test("a plain completion returns the server's content, finish reason and usage")
    func plainCompletion() async throws {
        try await withFakeProvider { server, client in
            let completion = try await client.complete(chatRequest())
            let expected = FakeReply.defaultReply(to: haikuMessages)
            #expect(completion.content == expected)
            #expect(completion.finishReason == .stop)
            #expect(
                completion.usage
                    == TokenUsage(
                        prompt: FakeReply.promptTokens(haikuMessages), completion: FakeReply.tokenCount(expected)))
            #expect(completion.model == "fake-model")
            #expect(completion.responseID == "chatcmpl-fake-0")
            #expect(completion.attempts == 1)
            #expect(completion.retries == 0)
            #expect(server.chatRequestCount == 1)

            let received = try #require(server.chatRequests.first)
            #expect(received.method == "POST")
            #expect(received.path == "/v1/chat/completions")
            #expect(received.header("authorization") == "Bearer \(secretKey)")
            #expect(received.header("content-type") == "application/json")
            #expect(received["stream"] == .bool(false))
            #expect(received["stream_options"] == nil)
        }
    }

    @Test("cached prompt tokens come from usage.prompt_tokens_details.cached_tokens")
    func cachedPromptTokens() async throws {
        try await withFakeProvider { server, client in
            let body = """
                {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
                           "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0}}}
                """
            server.injectFaults([.status(200, body: body, headers: [:])])
            let completion = try await client.complete(chatRequest())
            #expect(completion.usage == TokenUsage(prompt: 2006, completion: 300, total: 2306, cachedPrompt: 1920))
            // Without details, nothing is cached.
            let plain = try await client.complete(chatRequest())
            #expect(plain.usage?.cachedPrompt == 0)
        }
    }

    @Test("a streamed completion delivers deltas that add up to the content, with usage")
    func streamedCompletion() async throws {
        try await withFakeProvider { server, client in
            let recorder = DeltaRecorder()
            let completion = try await client.complete(chatRequest(), stream: true) { recorder.append($0) }
            let expected = FakeReply.defaultReply(to: haikuMessages)
            #expect(completion.content == expected)
            #expect(recorder.deltas.joined() == expected)
            #expect(recorder.deltas.count == FakeReply.tokenCount(expected))
            #expect(completion.finishReason == .stop)
            #expect(completion.usage?.completion == FakeReply.tokenCount(expected))
            #expect(completion.usage?.prompt == FakeReply.promptTokens(haikuMessages))
            #expect(completion.responseID == "chatcmpl-fake-0")

            let received = try #require(server.chatRequests.first)
            #expect(received.header("accept") == "text/event-stream")
            #expect(received["stream"] == .bool(true))
            #expect(received["stream_options"] == ["include_usage": true])
        }
    }

    @Test("without stream usage support, no stream_options is sent and usage is absent")
    func streamWithoutUsage() async throws {
        try await withFakeProvider(configure: { $0.capabilities.streamUsage = false }) { server, client in
            let completion = try await client.complete(chatRequest(), stream: true, onDelta: nil)
            #expect(completion.content == FakeReply.defaultReply(to: haikuMessages))
            #expect(completion.usage == nil)
            #expect(server.chatRequests.first?["stream_options"] == nil)
        }
    }

    @Test("a backend without streaming gets a plain request and the answer arrives as one delta")
    func streamingNotSupported() async throws {
        try await withFakeProvider(configure: { $0.capabilities.streaming = false }) { server, client in
            let recorder = DeltaRecorder()
            let completion = try await client.complete(chatRequest(), stream: true) { recorder.append($0) }
            #expect(recorder.deltas == [completion.content])
            #expect(server.chatRequests.first?["stream"] == .bool(false))
        }
    }

    @Test("every set parameter is in the body, with max_tokens renamed when declared")
    func parametersInBody() async throws {
        let schema: Value = ["type": "object", "properties": ["title": ["type": "string"]], "required": ["title"]]
        let parameters = ModelParameters(
            temperature: 0.2, maxTokens: 50, topP: 0.9, stop: ["END", "\n\n"], seed: 7, presencePenalty: 0.1,
            frequencyPenalty: 0.25, responseFormat: .jsonSchema(name: "plan", schema: schema, strict: true))
        try await withFakeProvider(configure: { $0.capabilities.outputLimitParameter = "max_completion_tokens" }) {
            server, client in
            _ = try await client.complete(chatRequest(parameters: parameters))
            let received = try #require(server.chatRequests.first)
            let expected: Value = [
                "model": "fake-model",
                "messages": [
                    ["role": "system", "content": "You write haiku."],
                    ["role": "user", "content": "Write a haiku about structured concurrency in Swift"],
                ],
                "temperature": 0.2, "max_completion_tokens": 50, "top_p": 0.9, "stop": ["END", "\n\n"], "seed": 7,
                "presence_penalty": 0.1, "frequency_penalty": 0.25,
                "response_format": [
                    "type": "json_schema", "json_schema": ["name": "plan", "schema": schema, "strict": true],
                ],
                "stream": false,
            ]
            #expect(received.json == expected)
            // Keys are sorted, as JSONText writes them.
            #expect(received.body == JSONText.encode(expected, pretty: false))
        }
    }

    @Test(
        "an output limit smaller than the answer truncates it and reports length",
        arguments: [false, true], ["max_tokens", "max_completion_tokens"])
    func lengthLimit(stream: Bool, limitParameter: String) async throws {
        try await withFakeProvider(configure: { $0.capabilities.outputLimitParameter = limitParameter }) { _, client in
            let completion = try await client.complete(
                chatRequest(parameters: ModelParameters(maxTokens: 3)), stream: stream, onDelta: nil)
            let words = FakeReply.defaultReply(to: haikuMessages).split(separator: " ").prefix(3)
            #expect(completion.content == words.joined(separator: " "))
            #expect(completion.finishReason == .length)
            #expect(completion.usage?.completion == 3)
        }
    }

    @Test("a scripted responder's content, finish reason and usage come through", arguments: [false, true])
    func scriptedResponder(stream: Bool) async throws {
        try await withFakeProvider { server, client in
            server.setResponder { request in
                FakeResponse(
                    "Plan for \(request.model ?? "?"):\n- one\n- two", finishReason: "content_filter",
                    usage: FakeUsage(prompt: 11, completion: 22, total: 40), model: "fake-model-2024")
            }
            let completion = try await client.complete(chatRequest(), stream: stream, onDelta: nil)
            #expect(completion.content == "Plan for fake-model:\n- one\n- two")
            #expect(completion.finishReason == .contentFilter)
            #expect(completion.usage == TokenUsage(prompt: 11, completion: 22, total: 40))
            #expect(completion.model == "fake-model-2024")
        }
    }

    @Test("the models endpoint lists the server's models, sorted")
    func listModels() async throws {
        try await withFakeProvider(server: .init(models: ["zeta", "alpha", "mid"])) { server, client in
            let models = try await client.listModels()
            #expect(models == ["alpha", "mid", "zeta"])
            #expect(server.requests.first?.method == "GET")
            #expect(server.requests.first?.path == "/v1/models")
        }
    }

    @Test("extra headers are sent; no Authorization without a key")
    func headers() async throws {
        try await withFakeProvider(configure: {
            $0.apiKey = nil
            $0.headers = ["OpenAI-Organization": "org-quire", "X-Trace": "abc"]
        }) { server, client in
            _ = try await client.complete(chatRequest())
            let received = try #require(server.chatRequests.first)
            #expect(received.header("authorization") == nil)
            #expect(received.header("openai-organization") == "org-quire")
            #expect(received.header("x-trace") == "abc")
            #expect(received.header("user-agent") == "quire")
        }
    }

    @Test("requests through a rate limiter give their permits back with the real usage")
    func rateLimiterIntegration() async throws {
        let limiter = RateLimiter(
            RateLimiter.Limits(maxConcurrent: 2, requestsPerMinute: 100, tokensPerMinute: 100_000),
            clock: TestClock())
        let server = FakeOpenAIServer()
        try await server.start()
        let client = OpenAIClient(
            configuration: ProviderConfiguration(name: "fake", baseURL: server.baseURL, retry: testRetryPolicy),
            rateLimiter: limiter, clock: TestClock(mode: .immediate))
        let completion = try await client.complete(chatRequest())
        let snapshot = await limiter.snapshot
        #expect(snapshot.inFlight == 0)
        #expect(snapshot.requestsInWindow == 1)
        #expect(snapshot.tokensInWindow == completion.usage?.total)
        await client.shutdown()
        await server.stop()
    }

    @Test("the fake server's latency model delays the answer by base + per-token time")
    func latencyModel() async throws {
        let latency = FakeLatency(base: .milliseconds(60), perToken: .milliseconds(4))
        try await withFakeProvider(server: .init(latency: latency)) { _, client in
            let clock = ContinuousClock()
            for stream in [false, true] {
                let start = clock.now
                let completion = try await client.complete(chatRequest(), stream: stream, onDelta: nil)
                let elapsed = start.duration(to: clock.now)
                let expected = latency.total(tokens: completion.usage?.completion ?? 0)
                #expect(elapsed >= expected, "stream: \(stream)")
                // Only a sanity bound: the exact figures are the benchmarks' business (busy machines vary).
                #expect(elapsed < expected + .seconds(20), "stream: \(stream)")
            }
        }
    }

    @Test("concurrent requests overlap on the fake server: latency is scheduled, no thread sleeps")
    func concurrentLatency() async throws {
        // Two seconds per answer: long enough that all 16 requests are in flight together even when the
        // rest of the test suite keeps the machine busy (with 200 ms, a starved run sent the second half
        // after the first half's answers had freed their connections).
        let latency = FakeLatency(base: .seconds(2), perToken: .milliseconds(2))
        try await withFakeProvider(server: .init(latency: latency)) { server, client in
            try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let messages = [ChatMessage(.user, "request number \(index)")]
                        let completion = try await client.complete(
                            chatRequest(messages: messages), stream: index.isMultiple(of: 2), onDelta: nil)
                        #expect(completion.content == FakeReply.defaultReply(to: messages))
                        return completion.content
                    }
                }
                var seen = Set<String>()
                for try await content in group { seen.insert(content) }
                #expect(seen.count == 16)
            }
            // In flight together, the 16 requests need 16 connections: a per-host cap below the
            // concurrency (AsyncHTTPClient's default is 8) would queue them on fewer, reused ones.
            // (Wall time is not asserted: serially this takes 16 × ~2 s, but a busy machine blurs it.)
            #expect(server.connectionCount == 16)
            #expect(server.peakConnectionCount == 16)
            #expect(server.openConnectionCount == 16)
            #expect(server.chatRequestCount == 16)
        }
    }

    @Test("withClient shuts the client down after the body")
    func scopedClient() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        let content = try await OpenAIClient.withClient(
            ProviderConfiguration(name: "fake", baseURL: server.baseURL)
        ) { client in
            try await client.complete(chatRequest()).content
        }
        #expect(content == FakeReply.defaultReply(to: haikuMessages))
        await server.stop()
    }

    @Test("shutdown closes the client's connections; a client abandoned for the exit leaves them open")
    func abandonedForExit() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        let configuration = ProviderConfiguration(name: "fake", baseURL: server.baseURL)
        let closed = OpenAIClient(configuration: configuration)
        _ = try await closed.complete(chatRequest())
        #expect(server.openConnectionCount == 1)
        await closed.shutdown()
        #expect(await eventually { server.openConnectionCount == 0 })
        #expect(server.peakConnectionCount == 1)

        var abandoned: OpenAIClient? = OpenAIClient(configuration: configuration)
        _ = try await abandoned?.complete(chatRequest())
        abandoned?.abandonForExit()
        // Neither a later shutdown nor releasing the client closes the connection (nor traps, as
        // releasing a live HTTP client would in a debug build): the process's exit does.
        await abandoned?.shutdown()
        abandoned = nil
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.openConnectionCount == 1)
        await server.stop()
    }
}
