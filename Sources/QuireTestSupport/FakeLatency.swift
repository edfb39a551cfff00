/// How long the fake server takes to answer: `base` before the first byte, then `perToken` for each
/// completion token (word). Streams send each token chunk `perToken` after the previous one.
/// Implemented with event-loop scheduled tasks, so no thread sleeps.
public struct FakeLatency: Sendable, Hashable {
    public var base: Duration
    public var perToken: Duration

    public init(base: Duration, perToken: Duration) {
        self.base = base
        self.perToken = perToken
    }

    /// Answer at once.
    public static let none = FakeLatency(base: .zero, perToken: .zero)
    /// 200 ms + 2 ms per token: the model used by benchmarks.
    public static let benchmark = FakeLatency(base: .milliseconds(200), perToken: .milliseconds(2))

    /// The time to the complete answer for `tokens` completion tokens.
    public func total(tokens: Int) -> Duration { base + perToken * tokens }
}
