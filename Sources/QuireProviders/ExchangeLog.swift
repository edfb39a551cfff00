import QuireCore

/// The model exchanges of a run, by request hash: what ``RecordingClient`` recorded and what
/// ``ReplayClient`` could not answer. Shared by concurrent calls.
public final class ExchangeLog: Sendable {
    public struct Entry: Sendable, Hashable {
        public var request: ChatRequest
        /// The answer; nil for a request that replay could not answer.
        public var completion: ChatCompletion?
    }

    private let state = LockedState<[String: Entry]>([:])

    public init() {}

    public func record(_ request: ChatRequest, completion: ChatCompletion?) {
        let hash = request.hash
        state.withLock { entries in
            // A request answered once stays answered.
            if entries[hash]?.completion == nil { entries[hash] = Entry(request: request, completion: completion) }
        }
    }

    /// The entry for a request hash (``ChatRequest/hash``).
    public func entry(forHash hash: String) -> Entry? { state.withLock { $0[hash] } }

    public var count: Int { state.withLock { $0.count } }
}
