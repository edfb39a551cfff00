/// Decides which steps can start: planning answers, running acts.
///
/// The runner asks for ready steps, starts them under its concurrency limit, and reports back
/// when each finishes. Ready steps come in plan order, so runs are reproducible.
public struct StepScheduler: Sendable {
    public private(set) var pending: [String]
    public private(set) var running: Set<String> = []
    public private(set) var finished: Set<String> = []
    public private(set) var failed: Set<String> = []
    private let dependencies: [String: Set<String>]

    public init(order: [String], dependencies: [String: [String]]) {
        self.pending = order
        self.dependencies = dependencies.mapValues(Set.init)
    }

    /// Steps whose dependencies have all finished, in plan order; they are marked running.
    public mutating func takeReady() -> [String] {
        let ready = pending.filter { (dependencies[$0] ?? []).isSubset(of: finished) }
        pending.removeAll { ready.contains($0) }
        running.formUnion(ready)
        return ready
    }

    public mutating func markFinished(_ id: String) {
        running.remove(id)
        finished.insert(id)
    }

    /// A failed step blocks everything downstream of it; independent steps can still run.
    public mutating func markFailed(_ id: String) {
        running.remove(id)
        failed.insert(id)
    }

    /// Pending steps that can never run because something they depend on failed.
    public var blocked: [String] {
        var blockedSet = failed
        var result: [String] = []
        for id in pending where !(dependencies[id] ?? []).isDisjoint(with: blockedSet) {
            blockedSet.insert(id)
            result.append(id)
        }
        return result
    }

    public var isDone: Bool { running.isEmpty && (pending.isEmpty || pending.allSatisfy { blocked.contains($0) }) }
}
