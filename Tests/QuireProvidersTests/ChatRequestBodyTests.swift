import QuireCore
import QuireProviders
import Testing

@Suite("Request body")
struct ChatRequestBodyTests {
    let request = ChatRequest(
        model: "m", messages: [ChatMessage(.user, "hi")],
        parameters: ModelParameters(maxTokens: 10, seed: 3, responseFormat: .jsonObject))

    @Test("the canonical fields plus stream, with sorted keys")
    func plain() {
        #expect(
            ChatRequestBody.json(for: request, capabilities: .openAI, stream: false)
                == #"{"max_tokens":10,"messages":[{"content":"hi","role":"user"}],"model":"m","response_format":{"type":"json_object"},"seed":3,"stream":false}"#
        )
    }

    @Test("max_tokens is renamed when the backend wants max_completion_tokens")
    func renamed() {
        let body = ChatRequestBody.value(
            for: request, capabilities: ProviderCapabilities(outputLimitParameter: "max_completion_tokens"),
            stream: false)
        #expect(body.objectValue?["max_completion_tokens"] == 10)
        #expect(body.objectValue?["max_tokens"] == nil)
    }

    @Test("parameters the backend does not support are still sent, never silently dropped")
    func neverDrops() {
        let capabilities = ProviderCapabilities(jsonObject: false, seed: false)
        #expect(capabilities.unsupported(request.parameters) == ["seed", "response_format.json_object"])
        let body = ChatRequestBody.value(for: request, capabilities: capabilities, stream: false)
        #expect(body.objectValue?["seed"] == 3)
        #expect(body.objectValue?["response_format"] == ["type": "json_object"])
    }

    @Test("stream_options only for streams to backends that report stream usage")
    func streamOptions() {
        let streamed = ChatRequestBody.value(for: request, capabilities: .openAI, stream: true).objectValue
        #expect(streamed?["stream"] == true)
        #expect(streamed?["stream_options"] == ["include_usage": true])
        let noUsage = ChatRequestBody.value(
            for: request, capabilities: ProviderCapabilities(streamUsage: false), stream: true
        ).objectValue
        #expect(noUsage?["stream_options"] == nil)
    }
}

@Suite("Secrets and error identity")
struct ProviderErrorTests {
    @Test("the scrubber removes configured secrets, sk- keys and bearer tokens")
    func scrubber() {
        let scrubber = SecretScrubber(secrets: ["hunter2-long-secret", "abc"])
        #expect(scrubber.scrub("token hunter2-long-secret here") == "token [REDACTED] here")
        #expect(scrubber.scrub("abc stays: too short to be a secret") == "abc stays: too short to be a secret")
        #expect(scrubber.scrub("Incorrect API key provided: sk-proj-abcdEFGH1234.") == "Incorrect API key provided: sk-[REDACTED].")
        #expect(scrubber.scrub("Authorization: Bearer xyz.123") == "Authorization: Bearer [REDACTED]")
        #expect(scrubber.scrub("ask-me and sk-short") == "ask-me and sk-short")
        #expect(scrubber.scrub("model 'mask-generator-large' (risk-assessment-v2)") == "model 'mask-generator-large' (risk-assessment-v2)")
        #expect(scrubber.scrub("key=sk-abcdefgh12345678") == "key=sk-[REDACTED]")
    }

    @Test("ids are stable")
    func ids() {
        #expect(ProviderError.Kind.allCases.map { ProviderError($0, provider: "p", message: "m").id } == [
            "provider.authentication", "provider.model-not-found", "provider.bad-request", "provider.http-status",
            "provider.rate-limited", "provider.server-error", "provider.timeout", "provider.connection",
            "provider.stream-interrupted", "provider.malformed-response", "provider.retries-exhausted",
            "provider.cancelled", "provider.configuration", "provider.replay-miss", "provider.budget-exceeded",
        ])
    }

    @Test("only transient failures are retryable")
    func retryable() {
        let retryable = ProviderError.Kind.allCases.filter { ProviderError($0, provider: "p", message: "m").isRetryable }
        #expect(retryable == [.rateLimited, .serverError, .timeout, .connection, .streamInterrupted, .malformedResponse])
    }

    @Test("a diagnostic carries the id, the context and the suggestion")
    func diagnostic() {
        let error = ProviderError(
            .modelNotFound, provider: "openai", message: "model 'gpt-4o-mnii' not found at provider 'openai'",
            notes: ["did you mean 'gpt-4o-mini'?", "the server said: no"])
        let diagnostic = error.diagnostic(context: "step 'plan' (publishing-plan@v2)")
        #expect(diagnostic.id == "provider.model-not-found")
        #expect(diagnostic.message == "step 'plan' (publishing-plan@v2): model 'gpt-4o-mnii' not found at provider 'openai'")
        #expect(diagnostic.suggestion == "did you mean 'gpt-4o-mini'?")
        #expect(diagnostic.notes == ["the server said: no"])
    }

    @Test("printing a configuration never shows the key")
    func configurationDescription() {
        let configuration = ProviderConfiguration.fromEnvironment([
            "OPENAI_API_KEY": secretKey, "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
        ])
        #expect(configuration.apiKey == secretKey)
        #expect(configuration.chatCompletionsURL == "http://127.0.0.1:8080/v1/chat/completions")
        for text in [
            "\(configuration)", String(reflecting: configuration), String(describing: Mirror(reflecting: configuration).children.map(\.value)),
        ] {
            #expect(!text.contains(secretKey), "\(text)")
        }
    }

    @Test("base URLs with a trailing slash still give the right endpoints")
    func endpoints() {
        let configuration = ProviderConfiguration(baseURL: "http://localhost:1234/v1/")
        #expect(configuration.modelsURL == "http://localhost:1234/v1/models")
        #expect(ProviderConfiguration.fromEnvironment([:]).baseURL == "https://api.openai.com/v1")
        #expect(ProviderConfiguration.fromEnvironment(["OPENAI_API_KEY": ""]).apiKey == nil)
        let groq = ProviderConfiguration(name: "groq", apiKeyVariable: "GROQ_API_KEY")
        #expect(groq.resolvingAPIKey(from: ["GROQ_API_KEY": "gsk-1", "OPENAI_API_KEY": "sk-2"]).apiKey == "gsk-1")
    }
}
