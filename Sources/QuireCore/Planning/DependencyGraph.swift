/// Topological ordering and cycle detection over step dependencies.
public enum DependencyGraph {
    /// Kahn's algorithm, taking ready steps in declaration order so plans are stable.
    /// Returns the order, or the first cycle found (as a path that starts and ends with the same id).
    public static func order(ids: [String], dependencies: [String: [String]]) -> Result<[String], CycleError> {
        var remaining = Dictionary(uniqueKeysWithValues: ids.map { id in (id, Set(dependencies[id] ?? []).intersection(ids)) })
        var order: [String] = []
        order.reserveCapacity(ids.count)
        while order.count < ids.count {
            let ready = ids.filter { remaining[$0]?.isEmpty == true }
            guard !ready.isEmpty else {
                return .failure(CycleError(path: findCycle(among: ids.filter { remaining[$0] != nil }, dependencies: dependencies)))
            }
            for id in ready {
                remaining[id] = nil
                order.append(id)
            }
            for id in ids where remaining[id] != nil {
                remaining[id]!.subtract(ready)
            }
        }
        return .success(order)
    }

    public struct CycleError: Error, Sendable, Hashable {
        public var path: [String]
    }

    static func findCycle(among ids: [String], dependencies: [String: [String]]) -> [String] {
        let members = Set(ids)
        // Walk dependencies from the first member until a node repeats.
        guard var current = ids.first else { return [] }
        var seen: [String: Int] = [:]
        var path: [String] = []
        while seen[current] == nil {
            seen[current] = path.count
            path.append(current)
            guard let next = (dependencies[current] ?? []).first(where: { members.contains($0) }) else { break }
            current = next
        }
        guard let start = seen[current] else { return path }
        // In dependency direction (each step needs the next), starting from the member declared first.
        var cycle = Array(path[start...])
        if let first = ids.firstIndex(where: { cycle.contains($0) }), let offset = cycle.firstIndex(of: ids[first]) {
            cycle = Array(cycle[offset...] + cycle[..<offset])
        }
        return cycle + [cycle[0]]
    }
}
