import Foundation
import QuireProviders
import Testing

@Suite("Retry policy and Retry-After")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(100), maxDelay: .seconds(1), deadline: .seconds(30))

    @Test("the back-off ceiling doubles up to the maximum delay")
    func ceilings() {
        #expect((0..<7).map { policy.backoffCeiling(retry: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
            .seconds(1),
        ])
        #expect(policy.backoffCeiling(retry: 500) == .seconds(1))
    }

    @Test("full jitter stays within 0...ceiling and spreads over it", arguments: [0, 1, 2, 3, 5])
    func jitterBounds(retry: Int) {
        let random = RandomSource.seeded(7)
        let ceiling = policy.backoffCeiling(retry: retry)
        let samples = (0..<2000).map { _ in policy.backoff(retry: retry, random: random) }
        #expect(samples.allSatisfy { $0 >= .zero && $0 <= ceiling })
        let fractions = samples.map { $0 / ceiling }
        #expect(fractions.min()! < 0.05)
        #expect(fractions.max()! > 0.95)
        let mean = fractions.reduce(0, +) / Double(fractions.count)
        #expect(abs(mean - 0.5) < 0.05)
    }

    @Test("a seeded source is reproducible")
    func seeded() {
        let a = RandomSource.seeded(99), b = RandomSource.seeded(99), c = RandomSource.seeded(100)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }

    @Test("constant sources pin the jitter to the ends")
    func constantSources() {
        #expect(policy.backoff(retry: 2, random: .constant(0)) == .zero)
        #expect(policy.backoff(retry: 2, random: .constant(1)) == .milliseconds(400))
    }

    @Test("delay: gives up after the last attempt, honours and caps Retry-After, respects the deadline")
    func delay() {
        let random = RandomSource.constant(1)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, elapsed: .zero, random: random) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, elapsed: .zero, random: random) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 6, retryAfter: nil, elapsed: .zero, random: random) == nil)
        #expect(policy.delay(afterAttempt: 1, retryAfter: .milliseconds(700), elapsed: .zero, random: random) == .milliseconds(700))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(90), elapsed: .zero, random: random) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, elapsed: .seconds(29.95), random: random) == nil)
        #expect(RetryPolicy.none.delay(afterAttempt: 1, retryAfter: nil, elapsed: .zero, random: random) == nil)
    }

    @Test("Retry-After: seconds, fractions, HTTP dates, past dates and junk", arguments: [
        ("120", Duration.seconds(120)), ("1.5", .milliseconds(1500)), (" 0 ", .zero),
        ("Mon, 01 Jan 2024 00:00:30 GMT", .seconds(30)), ("Sun, 31 Dec 2023 23:59:00 GMT", .zero),
    ])
    func retryAfter(header: String, expected: Duration) {
        let now = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01 00:00:00 GMT
        #expect(RetryAfter.parse(header, now: now) == expected)
    }

    @Test("unreadable Retry-After values are ignored", arguments: ["", "soon", "-3", "Mon, 32 Jan 2024 00:00:00 GMT", "1e400"])
    func retryAfterJunk(header: String) {
        #expect(RetryAfter.parse(header, now: Date(timeIntervalSince1970: 0)) == nil)
    }

    @Test("the RFC 9110 example date is read exactly")
    func httpDate() {
        let now = Date(timeIntervalSince1970: 784_111_777 - 10)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
    }
}
