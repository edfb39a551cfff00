/// When to try a failed request again: how many attempts, how long to wait between them, and the
/// total time the whole call may take.
///
/// Waits use exponential back-off with *full jitter*: before retry `n` (0-based) the wait is a random
/// duration in `0...min(maxDelay, baseDelay · 2ⁿ)`. A `Retry-After` from the server replaces the random
/// wait, capped by `maxDelay`. A wait that would end past the deadline is not started: the call fails
/// at once with ``ProviderError/Kind/retriesExhausted``.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included; 1 means no retries.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The budget for all attempts and waits together, or nil for none (each attempt still has its timeouts).
    public var deadline: Duration?

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        deadline: Duration? = .seconds(300)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.maxDelay = max(.zero, maxDelay)
        self.deadline = deadline
    }

    /// 4 attempts, 0.5 s base, 30 s cap, 5 minutes in all.
    public static let `default` = RetryPolicy()

    /// A single attempt.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The upper bound of the random wait before retry `retry` (0 for the first retry): `min(maxDelay, baseDelay · 2^retry)`.
    public func backoffCeiling(retry: Int) -> Duration {
        let exponent = min(max(0, retry), 40)
        let factor = Double(UInt64(1) << UInt64(exponent))
        let scaled = baseDelay.seconds * factor
        return scaled >= maxDelay.seconds ? maxDelay : baseDelay * factor
    }

    /// A full-jitter wait before retry `retry`: uniform in `0...backoffCeiling(retry:)`.
    public func backoff(retry: Int, random: RandomSource) -> Duration {
        backoffCeiling(retry: retry) * random.unitInterval()
    }

    /// The wait before the next attempt, or nil when the call should give up.
    ///
    /// - Parameters:
    ///   - attempt: the number of attempts made so far (1 after the first failure).
    ///   - retryAfter: the server's `Retry-After`, when it sent one.
    ///   - elapsed: the time spent on the call so far.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, elapsed: Duration, random: RandomSource)
        -> Duration?
    {
        guard attempt < maxAttempts else { return nil }
        let wait = retryAfter.map { min(max(.zero, $0), maxDelay) } ?? backoff(retry: attempt - 1, random: random)
        if let deadline, elapsed + wait >= deadline { return nil }
        return wait
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// A short human form: `250 ms`, `2 s`, `1.5 s`.
    var humanReadable: String {
        let s = seconds
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s == s.rounded() { return "\(Int(s)) s" }
        return "\((s * 10).rounded() / 10) s"
    }
}
