import Foundation
import QuireCore
import QuireProviders
import QuireTestSupport
import Testing

@Suite("OpenAIClient errors and retries", .timeLimit(.minutes(1)))
struct OpenAIClientErrorTests {
    // MARK: Not retried

    @Test("401 and 403 are not retried and name the key variable but never the key", arguments: [401, 403])
    func authentication(status: Int) async throws {
        try await withFakeProvider(configure: { $0.apiKeyVariable = "FAKE_API_KEY" }) { server, client in
            if status == 401 {
                server.injectFaults([.unauthorized])
            } else {
                server.injectFaults([
                    .status(403, body: #"{"error": {"message": "key \#(secretKey) is not allowed"}}"#, headers: [:])
                ])
            }
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .authentication)
            #expect(error.id == "provider.authentication")
            #expect(error.message == "authentication failed for provider 'fake' (HTTP \(status)): check FAKE_API_KEY")
            #expect(error.statusCode == status)
            #expect(error.attempts == 1)
            #expect(server.chatRequestCount == 1)
            #expect(!allText(of: error).contains(secretKey))
            #expect(!allText(of: error).contains("SECRET-1234"))
            #expect(error.notes.contains { $0.contains("[REDACTED]") })
        }
    }

    @Test("401 without a key says the variable is not set")
    func authenticationWithoutKey() async throws {
        try await withFakeProvider(server: .init(apiKey: fakeAPIKey("server-only-key")), configure: { $0.apiKey = nil }) {
            server, client in
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .authentication)
            #expect(error.message.hasSuffix("OPENAI_API_KEY is not set"))
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("404 names the model, lists the available ones and suggests the closest")
    func modelNotFound() async throws {
        let options = FakeOpenAIServer.Options(models: ["gpt-4o", "gpt-4o-mini", "o3-mini"], knownModelsOnly: true)
        try await withFakeProvider(server: options) { server, client in
            let error = try #require(await failure { try await client.complete(chatRequest(model: "gpt-4o-mnii")) })
            #expect(error.kind == .modelNotFound)
            #expect(error.id == "provider.model-not-found")
            #expect(
                error.message
                    == "model 'gpt-4o-mnii' not found at provider 'fake'; available models: gpt-4o, gpt-4o-mini, o3-mini")
            #expect(error.availableModels == ["gpt-4o", "gpt-4o-mini", "o3-mini"])
            #expect(error.diagnostic().suggestion == "did you mean 'gpt-4o-mini'?")
            #expect(server.chatRequestCount == 1)
            #expect(server.requests.map(\.path) == ["/v1/chat/completions", "/v1/models"])
        }
    }

    @Test("404 without a model list points at the model name and the base URL")
    func modelNotFoundWithoutList() async throws {
        try await withFakeProvider { server, client in
            server.injectFault(.modelNotFound, at: 0)
            server.injectFault(.status(404, body: nil, headers: [:]), when: { $0.path == "/v1/models" })
            let error = try #require(await failure { try await client.complete(chatRequest(model: "nope")) })
            #expect(error.kind == .modelNotFound)
            #expect(error.message.hasPrefix("model 'nope' not found at provider 'fake' (HTTP 404 from "))
            #expect(error.message.hasSuffix("check the model name and the provider's base URL"))
            #expect(error.notes.contains { $0.contains("does not exist") })
        }
    }

    @Test("a 400 with code model_not_found is a missing model too")
    func badRequestModelNotFound() async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([.badRequest(message: "model 'x' not found", code: "model_not_found")])
            let error = try #require(await failure { try await client.complete(chatRequest(model: "x")) })
            #expect(error.kind == .modelNotFound)
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("400 passes the server's message and is not retried")
    func badRequest() async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([
                .badRequest(message: "Invalid value for 'temperature': must be at most 2.", code: "invalid_value")
            ])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .badRequest)
            #expect(error.id == "provider.bad-request")
            #expect(
                error.message
                    == "provider 'fake' rejected the request (HTTP 400): Invalid value for 'temperature': must be at most 2.")
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("an exhausted quota (429 insufficient_quota) is not retried")
    func insufficientQuota() async throws {
        try await withFakeProvider { server, client in
            let body = #"{"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": "insufficient_quota"}}"#
            server.injectFaults([.status(429, body: body, headers: [:])])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .httpStatus)
            #expect(error.message.contains("quota"))
            #expect(server.chatRequestCount == 1)
        }
    }

    // MARK: Retried

    @Test("429 with Retry-After in seconds waits exactly that long, on the injected clock")
    func retryAfterSeconds() async throws {
        let clock = TestClock(mode: .immediate)
        try await withFakeProvider(clock: clock) { server, client in
            server.injectFaults([.rateLimited(retryAfter: "1.5")])
            let completion = try await client.complete(chatRequest())
            #expect(completion.attempts == 2)
            #expect(completion.retries == 1)
            #expect(clock.sleeps == [.milliseconds(1500)])
            #expect(server.chatRequestCount == 2)
        }
    }

    @Test("429 with Retry-After as an HTTP date waits until that date")
    func retryAfterDate() async throws {
        let clock = TestClock(mode: .immediate)
        try await withFakeProvider(clock: clock) { server, client in
            // fixedNow is 2024-01-01 00:00:00 GMT.
            server.injectFaults([.rateLimited(retryAfter: "Mon, 01 Jan 2024 00:00:01 GMT")])
            _ = try await client.complete(chatRequest())
            #expect(clock.sleeps == [.seconds(1)])
        }
    }

    @Test("Retry-After longer than the maximum delay is capped")
    func retryAfterCapped() async throws {
        let clock = TestClock(mode: .immediate)
        try await withFakeProvider(clock: clock) { server, client in
            server.injectFaults([.rateLimited(retryAfter: "30")])
            _ = try await client.complete(chatRequest())
            #expect(clock.sleeps == [testRetryPolicy.maxDelay])
        }
    }

    @Test("429 without Retry-After backs off with jitter within the first ceiling")
    func rateLimitedJitter() async throws {
        let clock = TestClock(mode: .immediate)
        try await withFakeProvider(clock: clock) { server, client in
            server.injectFaults([.rateLimited(retryAfter: nil), .rateLimited(retryAfter: nil)])
            let completion = try await client.complete(chatRequest())
            #expect(completion.attempts == 3)
            let sleeps = clock.sleeps
            #expect(sleeps.count == 2)
            #expect(sleeps[0] >= .zero && sleeps[0] <= .milliseconds(100))
            #expect(sleeps[1] >= .zero && sleeps[1] <= .milliseconds(200))
        }
    }

    @Test("5xx is retried until it succeeds; the server sees every attempt", arguments: [500, 502, 503, 504])
    func serverErrorRetried(status: Int) async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([.serverError(status), .serverError(status)])
            let completion = try await client.complete(chatRequest())
            #expect(completion.content == FakeReply.defaultReply(to: haikuMessages))
            #expect(completion.attempts == 3)
            #expect(server.chatRequestCount == 3)
        }
    }

    @Test("when retries run out, the error names the last cause and the attempt count")
    func retriesExhausted() async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([.serverError(502), .rateLimited(retryAfter: "0"), .serverError(503)])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .retriesExhausted)
            #expect(error.id == "provider.retries-exhausted")
            #expect(error.lastCause == .serverError)
            #expect(error.attempts == 3)
            #expect(error.statusCode == 503)
            #expect(
                error.message
                    == "provider 'fake' failed after 3 attempts; last error: provider 'fake' failed with HTTP 503: "
                    + "The server had an error while processing your request. Sorry about that!")
            #expect(error.notes.count == 3)
            #expect(error.notes[1].contains("HTTP 429"))
            #expect(server.chatRequestCount == 3)
        }
    }

    @Test("a wait that would pass the deadline is not started")
    func deadline() async throws {
        let clock = TestClock(mode: .immediate)
        try await withFakeProvider(
            clock: clock,
            configure: {
                $0.retry = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(60), deadline: .seconds(10))
            }
        ) { server, client in
            server.injectFaults([.rateLimited(retryAfter: "20")])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .retriesExhausted)
            #expect(error.lastCause == .rateLimited)
            #expect(error.message.contains("deadline of 10 s"))
            #expect(error.retryAfter == .seconds(20))
            #expect(clock.sleeps.isEmpty)
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("with a single attempt allowed, a retryable failure is reported as itself")
    func singleAttempt() async throws {
        try await withFakeProvider(configure: { $0.retry = .none }) { server, client in
            server.injectFaults([.serverError(500)])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .serverError)
            #expect(error.id == "provider.server-error")
            #expect(error.isRetryable)
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("a stalled server times out and the retry succeeds")
    func stallTimesOut() async throws {
        try await withFakeProvider(configure: { $0.timeouts.read = .milliseconds(200) }) { server, client in
            server.injectFaults([.stall(.seconds(20))])
            let start = ContinuousClock.now
            let completion = try await client.complete(chatRequest())
            #expect(completion.attempts == 2)
            #expect(server.chatRequestCount == 2)
            // Two attempts already show that the read timeout fired (without it the first attempt
            // would have been answered after the stall); finishing before the 20 s stall is over shows
            // it fired in time. The bound is loose on purpose: suites running beside this one share
            // the machine's two cores.
            #expect(ContinuousClock.now - start < .seconds(18))
        }
    }

    @Test("a stall reported without retries is a timeout naming the read timeout")
    func stallTimeoutMessage() async throws {
        try await withFakeProvider(configure: {
            $0.timeouts.read = .milliseconds(200)
            $0.retry = .none
        }) { server, client in
            server.injectFaults([.stall(.seconds(5))])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .timeout)
            #expect(error.message == "provider 'fake' sent nothing for 200 ms (read timeout)")
        }
    }

    @Test("the per-request timeout covers the whole answer, streamed or plain, not only the response head",
          arguments: [true, false])
    func requestTimeoutCoversTheAnswer(stream: Bool) async throws {
        let options = FakeOpenAIServer.Options(latency: FakeLatency(base: .zero, perToken: .seconds(2)))
        try await withFakeProvider(server: options, configure: {
            $0.timeouts.request = .milliseconds(400)
            $0.retry = .none
        }) { _, client in
            let start = ContinuousClock.now
            let error = try #require(
                await failure { try await client.complete(chatRequest(), stream: stream, onDelta: nil) })
            #expect(error.kind == .timeout)
            #expect(error.message == "provider 'fake' did not finish answering within 400 ms (request timeout)")
            // The whole answer would take many seconds (2 s a token); the timeout stops it well before.
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test("an error answer is read only up to its limit; the status and the start of the message still count")
    func longErrorBody() async throws {
        try await withFakeProvider { server, client in
            // A plain-text error far past the 64 KB read for a server's message.
            let body = "Upstream refused: " + String(repeating: "x", count: 300_000)
            server.injectFaults([.status(400, body: body, headers: [:])])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(error.kind == .badRequest)
            #expect(error.statusCode == 400)
            #expect(error.message.hasPrefix("provider 'fake' rejected the request (HTTP 400): Upstream refused: xxx"))
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("a connection closed before answering is retried")
    func droppedConnection() async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([.closeConnection])
            let completion = try await client.complete(chatRequest())
            #expect(completion.attempts == 2)
            #expect(server.chatRequestCount == 2)
        }
    }

    @Test("a stream cut part-way is retried; the content is the successful attempt's")
    func streamCut() async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([.cutStream(afterChunks: 3)])
            let recorder = DeltaRecorder()
            let completion = try await client.complete(chatRequest(), stream: true) { recorder.append($0) }
            let expected = FakeReply.defaultReply(to: haikuMessages)
            #expect(completion.content == expected)
            #expect(completion.attempts == 2)
            // Two words from the cut attempt, then the whole answer again.
            #expect(recorder.deltas.joined() == FakeReply.streamPieces(expected).prefix(2).joined() + expected)
        }
    }

    @Test("a cut stream without retries is reported as interrupted")
    func streamCutMessage() async throws {
        try await withFakeProvider(configure: { $0.retry = .none }) { server, client in
            server.injectFaults([.cutStream(afterChunks: 2)])
            let error = try #require(await failure { try await client.complete(chatRequest(), stream: true, onDelta: nil) })
            #expect(error.kind == .streamInterrupted)
            #expect(error.id == "provider.stream-interrupted")
        }
    }

    @Test("a plain answer cut part-way is retried")
    func bodyCut() async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([.cutStream(afterChunks: 1)])
            let completion = try await client.complete(chatRequest())
            #expect(completion.attempts == 2)
        }
    }

    @Test("malformed answers are retried", arguments: [FakeFault.malformedJSON, .malformedSSE, .wrongContentType])
    func malformedRetried(fault: FakeFault) async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([fault])
            let completion = try await client.complete(chatRequest(), stream: fault == .malformedSSE, onDelta: nil)
            #expect(completion.attempts == 2)
            #expect(completion.content == FakeReply.defaultReply(to: haikuMessages))
        }
    }

    @Test("malformed answers say what was wrong", arguments: [
        (FakeFault.malformedJSON, false, "sent a malformed answer: invalid JSON at 1:"),
        (FakeFault.malformedSSE, true, "sent a malformed answer: bad stream chunk: invalid JSON"),
        (FakeFault.wrongContentType, false, "unexpected content type 'text/html; charset=utf-8'"),
        (FakeFault.wrongContentType, true, "(expected text/event-stream)"),
    ])
    func malformedMessage(fault: FakeFault, stream: Bool, fragment: String) async throws {
        try await withFakeProvider(configure: { $0.retry = .none }) { server, client in
            server.injectFaults([fault])
            let error = try #require(await failure { try await client.complete(chatRequest(), stream: stream, onDelta: nil) })
            #expect(error.kind == .malformedResponse)
            #expect(error.id == "provider.malformed-response")
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test("a refused connection fails fast and is retried")
    func connectionRefused() async throws {
        // Bound but not listening: refused at once, and no server started in parallel can take it.
        let refusing = try RefusingPort()
        let port = refusing.port
        let clock = TestClock(mode: .immediate)
        let client = OpenAIClient(
            configuration: ProviderConfiguration(
                name: "local", baseURL: "http://127.0.0.1:\(port)/v1", apiKey: secretKey,
                timeouts: ProviderTimeouts(connect: .seconds(100)), retry: testRetryPolicy),
            clock: clock)
        let start = ContinuousClock.now
        let error = try #require(await failure { try await client.complete(chatRequest()) })
        await client.shutdown()
        // Three attempts that each waited for the 100 s connect timeout would take five minutes;
        // the bound is loose so that a machine busy with other suites does not fail it.
        #expect(ContinuousClock.now - start < .seconds(45))
        #expect(error.kind == .retriesExhausted)
        #expect(error.lastCause == .connection)
        #expect(error.attempts == 3)
        #expect(error.message.hasSuffix("could not connect to provider 'local' at http://127.0.0.1:\(port)/v1: connection refused"))
        #expect(clock.sleeps.count == 2)
    }

    @Test("a base URL that is not an http(s) URL is a configuration error", arguments: [
        "not a url", "localhost:8080/v1", "ftp://example.com/v1", "http:///v1",
    ])
    func invalidBaseURL(baseURL: String) async throws {
        let client = OpenAIClient(configuration: ProviderConfiguration(name: "bad", baseURL: baseURL))
        let error = try #require(await failure { try await client.complete(chatRequest()) })
        await client.shutdown()
        #expect(error.kind == .configuration)
        #expect(error.message == "the base URL '\(baseURL)' of provider 'bad' is not a valid http(s) URL")
        #expect(error.attempts == 0)
    }

    @Test("cancelling the task cancels the request in flight promptly")
    func cancellation() async throws {
        try await withFakeProvider { server, client in
            server.injectFaults([.stall(.seconds(30))])
            let task = Task { () async throws(ProviderError) -> ChatCompletion in
                try await client.complete(chatRequest())
            }
            #expect(await eventually { server.chatRequestCount == 1 })
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - start < .seconds(10), "cancellation must not wait for the 30 s stall")
            guard case .failure(let failure) = result, let error = failure as? ProviderError else {
                Issue.record("expected cancellation")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(error.id == "provider.cancelled")
            // The connection was closed, so the server's pending answer is dropped.
            #expect(await eventually { server.openConnectionCount == 0 })
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("cancelling during a back-off wait stops the retries")
    func cancellationDuringBackoff() async throws {
        let clock = TestClock(mode: .manual)
        try await withFakeProvider(clock: clock) { server, client in
            server.injectFaults([.serverError(503)])
            let task = Task { () async throws(ProviderError) -> ChatCompletion in
                try await client.complete(chatRequest())
            }
            #expect(await clock.waitForSleepers(1))
            task.cancel()
            guard case .failure(let failure) = await task.result, let error = failure as? ProviderError else {
                Issue.record("expected cancellation")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(server.chatRequestCount == 1)
        }
    }

    @Test("no error text ever contains the key", arguments: [
        FakeFault.unauthorized, .rateLimited(retryAfter: nil), .serverError(500), .closeConnection,
        .badRequest(message: "bad key \(secretKey)", code: nil),
        .status(418, body: "teapot says Bearer \(secretKey)", headers: [:]),
        .status(500, body: #"{"error": {"message": "upstream rejected \#(secretKey)"}}"#, headers: [:]),
    ])
    func keyNeverShown(fault: FakeFault) async throws {
        try await withFakeProvider(configure: { $0.retry = .none }) { server, client in
            server.injectFaults([fault])
            let error = try #require(await failure { try await client.complete(chatRequest()) })
            #expect(!allText(of: error).contains(secretKey), "\(allText(of: error))")
            #expect(!allText(of: error).contains("SECRET-1234567890"))
        }
    }
}
