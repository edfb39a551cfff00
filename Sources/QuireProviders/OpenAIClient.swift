import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import QuireCore

/// A ``ModelClient`` for any OpenAI-compatible Chat Completions endpoint, over AsyncHTTPClient.
///
/// It owns an `HTTPClient`: call ``shutdown()`` when done (or use ``withClient(_:rateLimiter:clock:random:wallClock:_:)``),
/// as a debug build of AsyncHTTPClient traps when a client is released without it.
///
/// Retries follow ``ProviderConfiguration/retry``: 429, 408, 409, 5xx, timeouts, refused or dropped
/// connections, streams cut part-way and malformed answers are retried; 400, 401, 403 and 404 are not.
/// Back-off waits use the injected `clock` and `random`, so tests never wait for them.
public final class OpenAIClient: ModelClient {
    public let configuration: ProviderConfiguration
    let http: HTTPClient
    let clock: any Clock<Duration>
    let random: RandomSource
    let wallClock: @Sendable () -> Date
    let rateLimiter: RateLimiter?
    let scrubber: SecretScrubber
    /// The headers of every non-streamed chat request, built once.
    let jsonHeaders: HTTPHeaders
    /// A non-streamed chat request without its body, its URL parsed once (nil when it does not parse:
    /// each attempt then reports why).
    let chatRequest: HTTPClient.Request?
    /// Why the base URL cannot be used (checked once), or nil.
    private let baseURLProblem: ProviderError?
    private let isShutDown = LockedState(false)

    /// The event loop every client's connections run on: one thread. A model server answers far fewer
    /// requests than one loop can carry, and with a second loop AsyncHTTPClient may run a request's
    /// delegate on one thread and its connection on the other, handing each answer across; measured on a
    /// 1,000-call fan-out, one loop used a sixth less CPU than the two of NIO's shared group on two cores.
    static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// - Parameters:
    ///   - configuration: the endpoint, key, capabilities, timeouts and retry policy.
    ///   - rateLimiter: shared limits; each HTTP attempt holds a permit (back-off waits do not).
    ///   - clock: measures latency and the retry deadline, and sleeps between attempts.
    ///   - random: the jitter of back-off waits.
    ///   - wallClock: the current date, for `Retry-After` HTTP dates.
    /// Starts the shared event-loop threads that every client uses, on a background queue, so that a
    /// command can overlap their start (a few milliseconds) with its own work — loading and validating
    /// the workspace — instead of paying it before its first request. Calling it again does nothing.
    public static func warmUp() {
        DispatchQueue.global(qos: .userInitiated).async { _ = eventLoopGroup.next() }
    }

    public init(
        configuration: ProviderConfiguration, rateLimiter: RateLimiter? = nil,
        clock: any Clock<Duration> = ContinuousClock(), random: RandomSource = .system,
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.rateLimiter = rateLimiter
        self.clock = clock
        self.random = random
        self.wallClock = wallClock
        var secrets = configuration.apiKey.map { [$0] } ?? []
        for (name, value) in configuration.headers {
            let lower = name.lowercased()
            if ["key", "auth", "token", "secret"].contains(where: lower.contains) { secrets.append(value) }
        }
        self.scrubber = SecretScrubber(secrets: secrets)
        self.baseURLProblem = Self.baseURLProblem(configuration)
        self.jsonHeaders = Self.headers(configuration, accept: "application/json", hasBody: true)
        self.chatRequest = try? HTTPClient.Request(
            url: configuration.chatCompletionsURL, method: .POST, headers: jsonHeaders)
        var httpConfiguration = HTTPClient.Configuration(
            timeout: .init(
                connect: TimeAmount(configuration.timeouts.connect),
                read: TimeAmount(configuration.timeouts.read)))
        httpConfiguration.connectionPool.idleTimeout = .seconds(30)
        // AsyncHTTPClient would otherwise keep re-dialling a refused connection until the connect timeout;
        // a failed connection is one failed attempt here, retried (with back-off) by ``RetryPolicy``.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        // AsyncHTTPClient keeps at most 8 connections per host by default, which would cap a fan-out at
        // 8 requests in flight whatever `--concurrency` says; the run's and the provider's limits decide.
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        // Quire records its own per-call figures in the manifest; no distributed-tracing span per request.
        httpConfiguration.tracing.tracer = nil
        self.http = HTTPClient(eventLoopGroup: Self.eventLoopGroup, configuration: httpConfiguration)
    }

    deinit {
        let needsShutdown = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        if needsShutdown { _ = http.shutdown() }
    }

    /// Closes connections and releases the HTTP client. Requests still running fail. Calling it twice is harmless.
    public func shutdown() async {
        let needsShutdown = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        if needsShutdown { try? await http.shutdown() }
    }

    /// For a process about to exit: lets go of the client without closing its connections, which the
    /// operating system closes when the process ends — all at once, where ``shutdown()`` takes them down
    /// one by one on the event loop (4–7 ms of a 20-run batch's 160 connections). Requests still running
    /// are left to the exit. ``shutdown()`` afterwards does nothing.
    public func abandonForExit() {
        let wasOpen = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        // An `HTTPClient` must not be released before it is shut down: it is kept until the exit.
        if wasOpen { Self.abandoned.withLock { $0.append(http) } }
    }

    private static let abandoned = LockedState<[HTTPClient]>([])

    /// Creates a client, runs `body` with it, and shuts it down however `body` ends.
    public static func withClient<T>(
        _ configuration: ProviderConfiguration, rateLimiter: RateLimiter? = nil,
        clock: any Clock<Duration> = ContinuousClock(), random: RandomSource = .system,
        wallClock: @escaping @Sendable () -> Date = { Date() },
        isolation: isolated (any Actor)? = #isolation,
        _ body: (OpenAIClient) async throws -> T
    ) async throws -> T {
        let client = OpenAIClient(
            configuration: configuration, rateLimiter: rateLimiter, clock: clock, random: random,
            wallClock: wallClock)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    // MARK: - ModelClient

    public func complete(
        _ request: ChatRequest, stream: Bool, onDelta: (@Sendable (String) -> Void)?
    ) async throws(ProviderError) -> ChatCompletion {
        let streaming = stream && configuration.capabilities.streaming
        let body = ChatRequestBody.json(for: request, capabilities: configuration.capabilities, stream: streaming)
        let tokens = TokenEstimate.estimate(request)
        let stopwatch = clock.makeStopwatch()
        do {
            let (answer, attempts) = try await withRetries(stopwatch: stopwatch) { limit throws(ProviderError) in
                try await self.withPermit(tokens: tokens) { () throws(ProviderError) in
                    try await self.chatAttempt(
                        body: body, model: request.model, stream: streaming, onDelta: onDelta, limit: limit)
                }
            }
            // A backend without streaming answered in one piece: pass it on as one delta.
            if stream, !streaming, !answer.content.isEmpty { onDelta?(answer.content) }
            return ChatCompletion(
                content: answer.content, finishReason: answer.finishReason, usage: answer.usage,
                model: answer.model ?? request.model, responseID: answer.id, attempts: attempts,
                latency: stopwatch())
        } catch {
            // A failed call took time too (its attempts and the waits between them): the manifest records it.
            var failure = error.scrubbed(by: scrubber)
            failure.elapsed = stopwatch()
            throw failure
        }
    }

    public func listModels() async throws(ProviderError) -> [String] {
        let stopwatch = clock.makeStopwatch()
        do throws(ProviderError) {
            let result = try await withRetries(stopwatch: stopwatch) { limit throws(ProviderError) in
                try await self.modelsAttempt(limit: limit)
            }
            return result.value
        } catch {
            throw error.scrubbed(by: scrubber)
        }
    }

    // MARK: - Retries

    /// Runs `attempt` until it succeeds, fails for good, or the policy gives up. `attempt` receives the
    /// time it may take. Returns the value and the number of attempts made.
    func withRetries<T: Sendable>(
        stopwatch: @Sendable () -> Duration,
        _ attempt: (Duration) async throws(ProviderError) -> T
    ) async throws(ProviderError) -> (value: T, attempts: Int) {
        try validateBaseURL()
        let policy = configuration.retry
        var attempts = 0
        var history: [String] = []
        while true {
            guard !Task.isCancelled else { throw cancelled(attempts: attempts) }
            var limit = configuration.timeouts.request
            if let deadline = policy.deadline {
                let remaining = deadline - stopwatch()
                guard remaining > .zero else {
                    throw ProviderError(
                        .timeout, provider: configuration.name,
                        message: "provider '\(configuration.name)' did not answer within the deadline of "
                            + "\(deadline.humanReadable)", attempts: attempts)
                }
                limit = min(limit, remaining)
            }
            attempts += 1
            do {
                return (try await attempt(limit), attempts)
            } catch {
                var failure = error
                failure.attempts = attempts
                // With a single attempt allowed there is nothing to exhaust: report the failure itself.
                guard failure.isRetryable, policy.maxAttempts > 1 else { throw failure }
                history.append("attempt \(attempts): \(failure.message)")
                guard
                    let wait = policy.delay(
                        afterAttempt: attempts, retryAfter: failure.retryAfter, elapsed: stopwatch(), random: random)
                else {
                    throw exhausted(failure, attempts: attempts, history: history, policy: policy)
                }
                do {
                    try await clock.sleep(for: wait)
                } catch {
                    throw cancelled(attempts: attempts)
                }
            }
        }
    }

    /// Fails with ``ProviderError/Kind/configuration`` unless the base URL is an absolute http(s) URL with a host.
    private func validateBaseURL() throws(ProviderError) {
        if let baseURLProblem { throw baseURLProblem }
    }

    private static func baseURLProblem(_ configuration: ProviderConfiguration) -> ProviderError? {
        let url = URL(string: configuration.baseURL)
        let scheme = url?.scheme?.lowercased() ?? ""
        guard ["http", "https", "http+unix", "https+unix"].contains(scheme), url?.host?.isEmpty == false else {
            return ProviderError(
                .configuration, provider: configuration.name,
                message: "the base URL '\(configuration.baseURL)' of provider '\(configuration.name)' is not a valid "
                    + "http(s) URL",
                attempts: 0)
        }
        return nil
    }

    private func exhausted(_ last: ProviderError, attempts: Int, history: [String], policy: RetryPolicy)
        -> ProviderError
    {
        let reason =
            attempts >= policy.maxAttempts
            ? "after \(attempts) attempt\(attempts == 1 ? "" : "s")"
            : "after \(attempts) attempt\(attempts == 1 ? "" : "s") (the next wait would pass the deadline of "
                + "\(policy.deadline?.humanReadable ?? "-"))"
        return ProviderError(
            .retriesExhausted, provider: configuration.name,
            message: "provider '\(configuration.name)' failed \(reason); last error: \(last.message)",
            statusCode: last.statusCode, retryAfter: last.retryAfter, attempts: attempts, lastCause: last.kind,
            notes: history)
    }

    func cancelled(attempts: Int) -> ProviderError {
        ProviderError(
            .cancelled, provider: configuration.name,
            message: "the request to provider '\(configuration.name)' was cancelled", attempts: attempts)
    }

    private func withPermit<T>(tokens: Int, _ body: () async throws(ProviderError) -> T) async throws(ProviderError)
        -> T
    {
        guard let rateLimiter else { return try await body() }
        let permit: RateLimiter.Permit
        do {
            permit = try await rateLimiter.acquire(tokens: tokens)
        } catch {
            throw cancelled(attempts: 0)
        }
        do {
            let result = try await body()
            let used = (result as? CompletionDecoder.Completion)?.usage?.total
            await rateLimiter.release(permit, actualTokens: used)
            return result
        } catch {
            await rateLimiter.release(permit)
            throw error
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = nanos.overflow ? .nanoseconds(.max) : .nanoseconds(nanos.partialValue + attoseconds / 1_000_000_000)
    }
}
