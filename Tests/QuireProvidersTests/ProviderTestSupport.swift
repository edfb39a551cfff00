import Foundation
import QuireCore
import QuireProviders
import QuireTestSupport
import Testing

/// A recognisable fake key: no error text may ever contain it.
let secretKey = fakeAPIKey("test-secret-quire")

/// The wall clock the client sees, for `Retry-After` HTTP dates: 2024-01-01 00:00:00 GMT.
let fixedNow = Date(timeIntervalSince1970: 1_704_067_200)

let haikuMessages = [
    ChatMessage(.system, "You write haiku."),
    ChatMessage(.user, "Write a haiku about structured concurrency in Swift"),
]

func chatRequest(
    model: String = "fake-model", messages: [ChatMessage] = haikuMessages,
    parameters: ModelParameters = ModelParameters()
) -> ChatRequest {
    ChatRequest(model: model, messages: messages, parameters: parameters)
}

/// Fast retry settings for tests; back-off waits go through the injected clock anyway.
let testRetryPolicy = RetryPolicy(
    maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(2), deadline: .seconds(60))

/// Starts a fake server and a client pointed at it, runs `body`, and stops both however it ends.
func withFakeProvider<T>(
    server options: FakeOpenAIServer.Options = FakeOpenAIServer.Options(),
    clock: TestClock = TestClock(mode: .immediate),
    random: RandomSource = .seeded(42),
    configure: (inout ProviderConfiguration) -> Void = { _ in },
    _ body: (FakeOpenAIServer, OpenAIClient) async throws -> T
) async throws -> T {
    let server = FakeOpenAIServer(options: options)
    try await server.start()
    var configuration = ProviderConfiguration(
        name: "fake", baseURL: server.baseURL, apiKey: secretKey,
        timeouts: ProviderTimeouts(connect: .seconds(2), read: .seconds(5), request: .seconds(10)),
        retry: testRetryPolicy)
    configure(&configuration)
    let client = OpenAIClient(
        configuration: configuration, clock: clock, random: random, wallClock: { fixedNow })
    do {
        let result = try await body(server, client)
        await client.shutdown()
        await server.stop()
        return result
    } catch {
        await client.shutdown()
        await server.stop()
        throw error
    }
}

/// The ``ProviderError`` an operation fails with, or nil (and a recorded issue) when it succeeds.
func failure<T>(
    sourceLocation: Testing.SourceLocation = #_sourceLocation, _ operation: () async throws -> T
) async -> ProviderError? {
    do {
        _ = try await operation()
        Issue.record("expected a ProviderError", sourceLocation: sourceLocation)
        return nil
    } catch let error as ProviderError {
        return error
    } catch {
        Issue.record("expected a ProviderError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Every piece of text an error could show a user.
func allText(of error: ProviderError) -> String {
    ([error.message, error.description, error.diagnostic(context: "step 'plan'").description] + error.notes
        + error.availableModels).joined(separator: "\n")
}

/// Collects streamed deltas from a `@Sendable` callback.
final class DeltaRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func append(_ delta: String) {
        lock.lock()
        items.append(delta)
        lock.unlock()
    }

    var deltas: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// Polls `condition` on real time, for at most `timeout`.
func eventually(timeout: Duration = .seconds(5), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}
