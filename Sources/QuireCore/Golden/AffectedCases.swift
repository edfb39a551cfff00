/// `quire test --affected`: which cases a set of changed files can affect.
///
/// A workflow's cases are all affected when `quire.yaml`, the workflow file, a prompt version one of
/// its steps uses (or, for an unpinned reference, any version of that prompt) or a partial such a prompt
/// includes changed; a single case is affected when something in its golden folder changed.
public enum AffectedCases {
    public struct Selection: Sendable, Hashable {
        /// The changed files that affect every case of the workflow.
        public var reasons: [String]
        /// Cases affected through their golden folder, with the files; only meaningful when `reasons` is empty.
        public var cases: [String: [String]]

        /// Whether `caseName` is affected.
        public func includes(_ caseName: String) -> Bool { !reasons.isEmpty || cases[caseName] != nil }
    }

    /// - Parameters:
    ///   - changed: workspace-relative paths of changed, added, deleted and untracked files.
    /// - Returns: workflow name → selection, for affected workflows only.
    public static func select(changed: [String], workspace: Workspace, analyses: [String: WorkflowAnalysis]) -> [String: Selection] {
        let changedSet = Set(changed)
        let configChanged = changed.filter { $0 == workspace.config.path || $0 == "quire.yaml" || $0 == "quire.yml" }
        var result: [String: Selection] = [:]
        for (name, analysis) in analyses {
            var reasons = configChanged
            if changedSet.contains(analysis.workflow.path) { reasons.append(analysis.workflow.path) }
            for step in analysis.orderedSteps {
                let reference = step.step.kind.reference
                var watched: [String] = []
                if let prompt = step.prompt {
                    watched.append(prompt.path)
                    watched += workspace.partialPaths(of: prompt)
                }
                reasons += watched.filter(changedSet.contains)
                if reference.version == nil {
                    let family = "\(workspace.config.paths.prompts)/\(reference.name)/"
                    reasons += changed.filter { $0.hasPrefix(family) && PromptName.version(ofFileName: String($0.dropFirst(family.count))) != nil }
                }
            }
            var cases: [String: [String]] = [:]
            let goldenPrefix = "\(workspace.config.paths.golden)/\(name)/"
            for path in changed where path.hasPrefix(goldenPrefix) {
                let rest = path.dropFirst(goldenPrefix.count)
                guard let slash = rest.firstIndex(of: "/") else { continue }
                cases[String(rest[..<slash]), default: []].append(path)
            }
            var unique: [String] = []
            for reason in reasons where !unique.contains(reason) { unique.append(reason) }
            if !unique.isEmpty || !cases.isEmpty { result[name] = Selection(reasons: unique, cases: cases) }
        }
        return result
    }
}
