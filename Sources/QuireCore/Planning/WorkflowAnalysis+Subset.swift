extension WorkflowAnalysis {
    /// The plan reduced to `ids` and every step they depend on, directly or not, in the same order.
    /// Unknown ids are ignored.
    public func restricted(to ids: some Sequence<String>) -> WorkflowAnalysis {
        var keep = Set<String>()
        var pending = Array(ids).filter { steps[$0] != nil }
        while let id = pending.popLast() {
            guard keep.insert(id).inserted else { continue }
            pending += steps[id]?.dependencies ?? []
        }
        var copy = self
        copy.order = order.filter(keep.contains)
        copy.steps = steps.filter { keep.contains($0.key) }
        return copy
    }
}
