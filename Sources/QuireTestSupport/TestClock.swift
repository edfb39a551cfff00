/// A `Clock` for tests: time moves only when the test says so, and every requested sleep is recorded.
///
/// - In ``Mode/manual`` mode a sleep suspends until ``advance(by:)`` moves time past its deadline.
/// - In ``Mode/immediate`` mode a sleep returns at once and moves time to its deadline, so retry
///   loops run without waiting while ``sleeps`` shows the delays they asked for.
///
/// Sleeps honour task cancellation.
public final class TestClock: Clock, Sendable {
    public struct Instant: InstantProtocol, CustomStringConvertible {
        /// Time since the clock was created.
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "\(offset)" }
    }

    public enum Mode: Sendable {
        case manual
        case immediate
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleeps: [Duration] = []
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    public let mode: Mode
    private let state = LockedState(State())

    public init(mode: Mode = .manual) { self.mode = mode }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// Every sleep requested so far, as the duration from the time of the request to its deadline.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Sleeps waiting for time to move (manual mode).
    public var pendingSleepCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id: UInt64? = state.withLock { state in
            state.sleeps.append(state.now.duration(to: deadline))
            if deadline <= state.now { return nil }
            if mode == .immediate {
                state.now = deadline
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else {
            await Task.yield()
            try Task.checkCancellation()
            return
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.now >= deadline { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes the sleeps whose deadline has come, earliest first.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: max(.zero, duration))
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits (on real time, yielding) until at least `count` sleeps are pending, for up to `timeout`.
    /// Returns whether they are. Lets a test advance time only once the code under test is waiting.
    @discardableResult
    public func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(5)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while pendingSleepCount < count {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}
