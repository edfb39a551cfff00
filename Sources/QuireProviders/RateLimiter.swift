/// Limits how many requests run at once and how many requests and tokens start per minute.
///
/// Waiters are served strictly first come, first served: a small request never overtakes a large
/// one at the head of the queue. A cancelled waiter leaves the queue at once and throws
/// `CancellationError`. Time comes from an injected clock, so tests can drive the per-minute windows
/// without waiting.
///
/// A request whose token estimate alone exceeds `tokensPerMinute` still runs, once the window is
/// empty, rather than waiting forever.
public actor RateLimiter {
    public struct Limits: Sendable, Hashable {
        /// Requests in flight at once; nil for no limit.
        public var maxConcurrent: Int?
        /// Requests started per ``window``; nil for no limit.
        public var requestsPerMinute: Int?
        /// Estimated tokens started per ``window``; nil for no limit.
        public var tokensPerMinute: Int?
        /// The sliding window for the per-minute limits (60 s; shorter in tests if wanted).
        public var window: Duration

        public init(
            maxConcurrent: Int? = nil, requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil,
            window: Duration = .seconds(60)
        ) {
            self.maxConcurrent = maxConcurrent.map { max(1, $0) }
            self.requestsPerMinute = requestsPerMinute.map { max(1, $0) }
            self.tokensPerMinute = tokensPerMinute.map { max(1, $0) }
            self.window = window
        }
    }

    /// The right to run one request. Give it back with ``release(_:actualTokens:)``.
    public struct Permit: Sendable, Hashable {
        public let id: UInt64
        public let tokens: Int
    }

    /// A snapshot for tests and progress displays.
    public struct Snapshot: Sendable, Hashable {
        public var inFlight: Int
        public var waiting: Int
        public var requestsInWindow: Int
        public var tokensInWindow: Int

        public init(inFlight: Int, waiting: Int, requestsInWindow: Int, tokensInWindow: Int) {
            self.inFlight = inFlight
            self.waiting = waiting
            self.requestsInWindow = requestsInWindow
            self.tokensInWindow = tokensInWindow
        }
    }

    private struct Waiter {
        let id: UInt64
        let tokens: Int
        let continuation: CheckedContinuation<Permit, any Error>
    }

    private struct Grant {
        let id: UInt64
        let at: Duration
        var tokens: Int
    }

    private enum Blocker {
        case concurrency
        case window(until: Duration)
    }

    public let limits: Limits
    private let clock: any Clock<Duration>
    private let elapsed: @Sendable () -> Duration
    private var active: Set<UInt64> = []
    private var grants: [Grant] = []
    private var waiters: [Waiter] = []
    private var nextID: UInt64 = 0
    private var wakeup: (at: Duration, generation: UInt64, task: Task<Void, Never>)?
    private var wakeupGeneration: UInt64 = 0

    public init(_ limits: Limits, clock: any Clock<Duration> = ContinuousClock()) {
        self.limits = limits
        self.clock = clock
        self.elapsed = clock.makeStopwatch()
    }

    deinit {
        wakeup?.task.cancel()
    }

    /// Waits for a turn, then returns a permit for a request of about `tokens` tokens.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func acquire(tokens: Int = 0) async throws -> Permit {
        try Task.checkCancellation()
        let id = nextID
        nextID += 1
        let tokens = max(0, tokens)
        if waiters.isEmpty {
            prune()
            if blocker(for: tokens) == nil { return grant(id: id, tokens: tokens) }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append(Waiter(id: id, tokens: tokens, continuation: continuation))
                pump()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Gives a permit back. `actualTokens` (the usage the backend reported) replaces the estimate in the
    /// per-minute window. Releasing a permit twice does nothing.
    public func release(_ permit: Permit, actualTokens: Int? = nil) {
        guard active.remove(permit.id) != nil else { return }
        if let actualTokens, let index = grants.firstIndex(where: { $0.id == permit.id }) {
            grants[index].tokens = max(0, actualTokens)
        }
        pump()
    }

    /// Runs `body` holding a permit, and releases it however `body` ends.
    public func withPermit<T>(
        tokens: Int = 0, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        let permit = try await acquire(tokens: tokens)
        do {
            let result = try await body()
            await release(permit)
            return result
        } catch {
            await release(permit)
            throw error
        }
    }

    public var snapshot: Snapshot {
        let now = elapsed()
        let live = grants.filter { $0.at + limits.window > now }
        return Snapshot(
            inFlight: active.count, waiting: waiters.count, requestsInWindow: live.count,
            tokensInWindow: live.reduce(0) { $0 + $1.tokens })
    }

    // MARK: - Internals

    private func grant(id: UInt64, tokens: Int) -> Permit {
        active.insert(id)
        if limits.requestsPerMinute != nil || limits.tokensPerMinute != nil {
            grants.append(Grant(id: id, at: elapsed(), tokens: tokens))
        }
        return Permit(id: id, tokens: tokens)
    }

    private func prune() {
        let now = elapsed()
        if let firstLive = grants.firstIndex(where: { $0.at + limits.window > now }) {
            if firstLive > 0 { grants.removeFirst(firstLive) }
        } else {
            grants.removeAll()
        }
    }

    /// What stops a request of `tokens` tokens from starting now, if anything.
    private func blocker(for tokens: Int) -> Blocker? {
        if let maxConcurrent = limits.maxConcurrent, active.count >= maxConcurrent { return .concurrency }
        var until: Duration?
        if let rpm = limits.requestsPerMinute, grants.count >= rpm {
            until = grants[grants.count - rpm].at + limits.window
        }
        if let tpm = limits.tokensPerMinute {
            var used = grants.reduce(0) { $0 + $1.tokens }
            if used > 0, used + tokens > tpm {
                for grant in grants {
                    used -= grant.tokens
                    if used == 0 || used + tokens <= tpm {
                        let expiry = grant.at + limits.window
                        until = max(until ?? expiry, expiry)
                        break
                    }
                }
            }
        }
        return until.map { .window(until: $0) }
    }

    private func pump() {
        prune()
        while let head = waiters.first {
            switch blocker(for: head.tokens) {
            case .concurrency?:
                return  // a release will pump again
            case .window(let until)?:
                scheduleWakeup(at: until)
                return
            case nil:
                waiters.removeFirst()
                head.continuation.resume(returning: grant(id: head.id, tokens: head.tokens))
            }
        }
    }

    private func scheduleWakeup(at time: Duration) {
        if let wakeup, wakeup.at <= time { return }
        wakeup?.task.cancel()
        wakeupGeneration += 1
        let generation = wakeupGeneration
        let delay = max(.zero, time - elapsed())
        let clock = self.clock
        let task = Task { [weak self] in
            do {
                try await clock.sleep(for: delay)
            } catch {
                return
            }
            await self?.wakeupFired(generation)
        }
        wakeup = (time, generation, task)
    }

    private func wakeupFired(_ generation: UInt64) {
        guard wakeup?.generation == generation else { return }
        wakeup = nil
        pump()
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
        pump()
    }
}
