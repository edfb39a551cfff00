import QuireCore

/// Why a call to a model provider failed, in words a user can act on.
///
/// ``message`` never contains the API key or the request body: every error leaving ``OpenAIClient``
/// is passed through ``SecretScrubber``. ``id`` is stable (`provider.rate-limited`, …) so the runner can
/// turn the error into a ``Diagnostic`` and scripts and docs can rely on it.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure. The raw value is the part of ``ProviderError/id`` after `provider.`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// 401 / 403: the key is missing, wrong or not allowed. Not retried.
        case authentication
        /// 404, or a 400 whose code is `model_not_found`. Not retried.
        case modelNotFound = "model-not-found"
        /// 400 / 422: the server rejected the request; its message is passed on. Not retried.
        case badRequest = "bad-request"
        /// Another 4xx status. Not retried.
        case httpStatus = "http-status"
        /// 429. Retried, honouring `Retry-After`.
        case rateLimited = "rate-limited"
        /// 5xx and 409. Retried.
        case serverError = "server-error"
        /// Connect timeout, read (idle) timeout, per-request timeout or 408. Retried.
        case timeout
        /// Refused, reset or closed connections before an answer. Retried.
        case connection
        /// A streamed answer stopped before `[DONE]` / a finish reason. Retried.
        case streamInterrupted = "stream-interrupted"
        /// A 200 whose body is not the JSON / SSE expected, or has the wrong content type. Retried.
        case malformedResponse = "malformed-response"
        /// A retryable failure kept happening until the attempts or the deadline ran out.
        case retriesExhausted = "retries-exhausted"
        /// The calling task was cancelled.
        case cancelled
        /// The provider configuration cannot work (for example a base URL that is not a URL).
        case configuration
        /// Replaying recorded exchanges (`quire test`): no recording matches the request. Not retried.
        case replayMiss = "replay-miss"
        /// The run's budget (`--max-cost`, `--max-tokens`) does not allow this call. Nothing was sent. Not retried.
        case budgetExceeded = "budget-exceeded"
    }

    public var kind: Kind
    /// The provider's name, as configured.
    public var provider: String
    /// One line for the user.
    public var message: String
    /// The HTTP status, when the failure was an HTTP answer.
    public var statusCode: Int?
    /// The wait the server asked for (`Retry-After`), when given.
    public var retryAfter: Duration?
    /// For ``Kind/modelNotFound``: the models the provider listed, when it answered `/models`.
    public var availableModels: [String]
    /// HTTP attempts made before giving up (0 when no request was sent).
    public var attempts: Int
    /// For ``Kind/retriesExhausted``: the kind of the last failure.
    public var lastCause: Kind?
    /// Extra lines for the user (a suggestion, the retry history).
    public var notes: [String]
    /// How long the call took until it failed, every attempt and back-off wait included; nil when the
    /// client that failed did not measure it.
    public var elapsed: Duration?

    public init(
        _ kind: Kind, provider: String, message: String, statusCode: Int? = nil, retryAfter: Duration? = nil,
        availableModels: [String] = [], attempts: Int = 1, lastCause: Kind? = nil, notes: [String] = []
    ) {
        self.kind = kind
        self.provider = provider
        self.message = message
        self.statusCode = statusCode
        self.retryAfter = retryAfter
        self.availableModels = availableModels
        self.attempts = attempts
        self.lastCause = lastCause
        self.notes = notes
    }

    /// The stable identifier, `provider.<kind>`.
    public var id: String { "provider.\(kind.rawValue)" }

    /// Whether another attempt may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .rateLimited, .serverError, .timeout, .connection, .streamInterrupted, .malformedResponse: true
        case .authentication, .modelNotFound, .badRequest, .httpStatus, .retriesExhausted, .cancelled,
            .configuration, .replayMiss, .budgetExceeded:
            false
        }
    }

    public var description: String { "\(message) [\(id)]" }

    /// An error diagnostic; `context` (for example `step 'plan' (publishing-plan@v2)`) prefixes the message.
    public func diagnostic(context: String? = nil) -> Diagnostic {
        let text = context.map { "\($0): \(message)" } ?? message
        var suggestion: String?
        var notes = self.notes
        if let first = notes.first, first.hasPrefix("did you mean") {
            suggestion = first
            notes.removeFirst()
        }
        return .error(id, text, notes: notes, suggestion: suggestion)
    }

    /// A copy with `scrubber` applied to every text field.
    public func scrubbed(by scrubber: SecretScrubber) -> ProviderError {
        var copy = self
        copy.message = scrubber.scrub(message)
        copy.notes = notes.map(scrubber.scrub)
        copy.availableModels = availableModels.map(scrubber.scrub)
        return copy
    }
}
