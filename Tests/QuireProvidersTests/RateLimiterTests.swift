import QuireProviders
import QuireTestSupport
import Testing

/// Records the order in which tasks got their permits.
private actor Order {
    var names: [String] = []
    func append(_ name: String) { names.append(name) }
}

@Suite("Rate limiter", .timeLimit(.minutes(1)))
struct RateLimiterTests {
    private func waitUntilWaiting(_ limiter: RateLimiter, _ count: Int) async -> Bool {
        await eventually { await limiter.snapshot.waiting == count }
    }

    @Test("no more than maxConcurrent permits are out at once")
    func concurrency() async throws {
        let limiter = RateLimiter(.init(maxConcurrent: 2), clock: TestClock())
        let a = try await limiter.acquire()
        let b = try await limiter.acquire()
        let third = Task { try await limiter.acquire() }
        #expect(await waitUntilWaiting(limiter, 1))
        #expect(await limiter.snapshot.inFlight == 2)
        await limiter.release(a)
        let c = try await third.value
        #expect(await limiter.snapshot.inFlight == 2)
        await limiter.release(b)
        await limiter.release(c)
        await limiter.release(c)  // twice: ignored
        #expect(await limiter.snapshot.inFlight == 0)
    }

    @Test("waiters are served first come, first served")
    func fifo() async throws {
        let limiter = RateLimiter(.init(maxConcurrent: 1), clock: TestClock())
        let order = Order()
        let first = try await limiter.acquire()
        var tasks: [Task<Void, any Error>] = []
        for (index, name) in ["a", "b", "c", "d"].enumerated() {
            tasks.append(
                Task {
                    // A large request must not be overtaken by the small ones behind it.
                    let permit = try await limiter.acquire(tokens: name == "b" ? 1000 : 1)
                    await order.append(name)
                    await limiter.release(permit)
                })
            #expect(await waitUntilWaiting(limiter, index + 1))
        }
        await limiter.release(first)
        for task in tasks { try await task.value }
        #expect(await order.names == ["a", "b", "c", "d"])
    }

    @Test("requests per minute: the next request waits for the window to slide")
    func requestsPerMinute() async throws {
        let clock = TestClock()
        let limiter = RateLimiter(.init(requestsPerMinute: 2), clock: clock)
        _ = try await limiter.acquire()
        clock.advance(by: .seconds(10))
        _ = try await limiter.acquire()
        let third = Task { try await limiter.acquire() }
        #expect(await waitUntilWaiting(limiter, 1))
        #expect(await clock.waitForSleepers(1))
        #expect(clock.sleeps.last == .seconds(50))  // until the first grant leaves the window
        clock.advance(by: .seconds(49))
        try await Task.sleep(for: .milliseconds(20))
        #expect(await limiter.snapshot.waiting == 1)
        clock.advance(by: .seconds(1))
        _ = try await third.value
        #expect(await limiter.snapshot.requestsInWindow == 2)
    }

    @Test("tokens per minute: a request waits until enough tokens leave the window")
    func tokensPerMinute() async throws {
        let clock = TestClock()
        let limiter = RateLimiter(.init(tokensPerMinute: 100), clock: clock)
        let big = try await limiter.acquire(tokens: 60)
        await limiter.release(big)
        let next = Task { try await limiter.acquire(tokens: 50) }
        #expect(await waitUntilWaiting(limiter, 1))
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(60))
        let permit = try await next.value
        #expect(permit.tokens == 50)
        #expect(await limiter.snapshot.tokensInWindow == 50)
    }

    @Test("a request larger than the whole budget runs once the window is empty")
    func oversized() async throws {
        let limiter = RateLimiter(.init(tokensPerMinute: 100), clock: TestClock())
        let permit = try await limiter.acquire(tokens: 500)
        #expect(permit.tokens == 500)
    }

    @Test("reported usage replaces the estimate")
    func actualTokens() async throws {
        let limiter = RateLimiter(.init(tokensPerMinute: 1000), clock: TestClock())
        let permit = try await limiter.acquire(tokens: 900)
        await limiter.release(permit, actualTokens: 120)
        #expect(await limiter.snapshot.tokensInWindow == 120)
    }

    @Test("a cancelled waiter leaves the queue and the next one takes its place")
    func cancellation() async throws {
        let limiter = RateLimiter(.init(maxConcurrent: 1), clock: TestClock())
        let held = try await limiter.acquire()
        let cancelled = Task { try await limiter.acquire() }
        #expect(await waitUntilWaiting(limiter, 1))
        let behind = Task { try await limiter.acquire() }
        #expect(await waitUntilWaiting(limiter, 2))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(await waitUntilWaiting(limiter, 1))
        await limiter.release(held)
        let permit = try await behind.value
        await limiter.release(permit)
        #expect(await limiter.snapshot == RateLimiter.Snapshot(inFlight: 0, waiting: 0, requestsInWindow: 0, tokensInWindow: 0))
    }

    @Test("an already cancelled task does not get a permit")
    func alreadyCancelled() async {
        let limiter = RateLimiter(.init(maxConcurrent: 1), clock: TestClock())
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.acquire()
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(await limiter.snapshot.inFlight == 0)
    }

    @Test("withPermit releases however the body ends")
    func withPermit() async throws {
        struct Boom: Error {}
        let limiter = RateLimiter(.init(maxConcurrent: 1), clock: TestClock())
        #expect(try await limiter.withPermit(tokens: 5) { 42 } == 42)
        await #expect(throws: Boom.self) { try await limiter.withPermit { throw Boom() } }
        #expect(await limiter.snapshot.inFlight == 0)
    }
}
