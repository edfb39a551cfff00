import QuireCore

/// What a run reports while it goes, for progress displays and logs.
public enum RunEvent: Sendable {
    /// A step began; `items` is the number of fan-out items (nil for a plain step).
    case stepStarted(id: String, items: Int?)
    /// A finished step was reused: from an earlier attempt of this run (`--resume`), or copied from
    /// the run `from` (a partial run, `--from` / `--only`).
    case stepReused(id: String, from: String?)
    /// One fan-out item finished (`done` of `total`).
    case itemFinished(step: String, done: Int, total: Int, tokens: Int)
    case stepFinished(id: String, elapsed: Duration, tokens: Int, retries: Int, calls: Int)
    case stepFailed(id: String, diagnostic: Diagnostic)
    /// The step cannot run because a step it depends on failed.
    case stepSkipped(id: String, blockedBy: [String])
    /// Streamed text of a running call (`--stream`), labelled `plan` or `sections[3]`.
    case delta(label: String, text: String)
    /// A call was answered from the response cache (`item` for a fan-out item).
    case cacheHit(step: String, item: Int?)
    case warning(Diagnostic)
}

/// Receives run events. Called from many tasks at once; implementations must be thread-safe.
public protocol RunObserver: Sendable {
    func handle(_ event: RunEvent)
}

/// Ignores every event.
public struct SilentObserver: RunObserver {
    public init() {}
    public func handle(_ event: RunEvent) {}
}
