extension Workspace {
    /// The workspace paths of every partial a prompt includes, directly or through other partials, sorted.
    /// Includes that do not resolve are left out (validation reports them).
    public func partialPaths(of prompt: PromptFile) -> [String] {
        var names = Set<String>()
        var pending = prompt.templates.flatMap(\.includes).map(\.name)
        while let name = pending.popLast() {
            guard names.insert(name).inserted, let partial = try? partials[name]?.get() else { continue }
            pending += partial.includes.map(\.name)
        }
        return names.filter { partials[$0] != nil }.map { "\(config.paths.prompts)/\($0)" }.sorted()
    }
}
