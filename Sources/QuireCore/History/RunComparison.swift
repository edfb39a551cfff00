/// `quire diff RUN-A RUN-B`: how two runs differ — inputs, each step's prompt version and hash,
/// the parameters its calls sent, and its output files as unified diffs.
public struct RunComparison: Sendable, Hashable {
    /// A value that differs between the runs (`nil` where a run has none).
    public struct Change: Sendable, Hashable {
        public var name: String
        public var old: String?
        public var new: String?

        public init(name: String, old: String?, new: String?) {
            self.name = name
            self.old = old
            self.new = new
        }

        public var value: Value { ["name": .string(name), "a": old.map(Value.string) ?? .null, "b": new.map(Value.string) ?? .null] }

        var line: String { "\(name): \(old ?? "(none)") → \(new ?? "(none)")" }
    }

    /// One output file of a step (or an artifact) that differs.
    public struct FileDifference: Sendable, Hashable {
        /// Relative to the run folder.
        public var path: String
        public var diff: UnifiedDiff

        public var value: Value {
            ["path": .string(path), "added_lines": .int(diff.addedCount), "removed_lines": .int(diff.removedCount), "diff": .string(diff.rendered)]
        }
    }

    public struct StepComparison: Sendable, Hashable {
        public var stepID: String
        /// Only in one of the runs: "a" or "b"; nil when both have it.
        public var onlyIn: String?
        /// The run each side's step was reused from (`quire run --from` / `--only`), nil where it ran.
        public var reusedFromA: String?
        public var reusedFromB: String?
        /// False when a reused step's calls could not be found (the run that made them is gone): its
        /// parameters were not compared.
        public var parametersCompared = true
        /// Status, prompt version and hash.
        public var changes: [Change]
        /// Parameters sent (and the provider and model), per name.
        public var parameters: [Change]
        public var files: [FileDifference]

        public var isIdentical: Bool { onlyIn == nil && changes.isEmpty && parameters.isEmpty && files.isEmpty }

        public var value: Value {
            [
                "step": .string(stepID),
                "only_in": onlyIn.map(Value.string) ?? .null,
                "reused_from": ["a": reusedFromA.map(Value.string) ?? .null, "b": reusedFromB.map(Value.string) ?? .null],
                "parameters_compared": .bool(parametersCompared),
                "identical": .bool(isIdentical),
                "changes": .list(changes.map(\.value)),
                "parameters": .list(parameters.map(\.value)),
                "files": .list(files.map(\.value)),
            ]
        }
    }

    public var runA: String
    public var runB: String
    public var inputs: [Change]
    /// Every step of either run, in run A's plan order, then run B's.
    public var steps: [StepComparison]
    /// Files named by `output:`.
    public var artifacts: [FileDifference]

    public var isIdentical: Bool { inputs.isEmpty && artifacts.isEmpty && steps.allSatisfy(\.isIdentical) }

    /// Compares two runs. `filesA` and `filesB` hold the text of each run's output files and artifacts
    /// by path relative to its run folder; a file listed in a manifest but absent compares as empty.
    /// `originsA` and `originsB` hold, for each step a run reused, the step as the run that made its calls
    /// recorded it (``origins(of:lookup:)``): a reused step has no calls of its own, so its parameters are
    /// those of its origin.
    public init(
        a: RunManifest, b: RunManifest, filesA: [String: String], filesB: [String: String],
        originsA: [String: StepRecord] = [:], originsB: [String: StepRecord] = [:]
    ) {
        runA = a.runID
        runB = b.runID
        inputs = Self.changes(a.inputs.mapValues(Self.text), b.inputs.mapValues(Self.text))
        var ids: [String] = []
        var seen = Set<String>()
        let extra = Set(a.steps.keys).union(b.steps.keys).subtracting(a.order).subtracting(b.order).sorted()
        for id in a.order + b.order + extra where (a.steps[id] != nil || b.steps[id] != nil) && seen.insert(id).inserted {
            ids.append(id)
        }
        steps = ids.map { id in
            Self.compare(
                step: id, a.steps[id], b.steps[id], runA: a.runID, runB: b.runID, filesA: filesA, filesB: filesB,
                originA: originsA[id], originB: originsB[id])
        }
        artifacts = Self.fileDifferences(
            paths: Array(Set(a.artifacts).union(b.artifacts)), runA: a.runID, runB: b.runID, filesA: filesA, filesB: filesB)
    }

    /// For each step of `manifest` that was reused, the step as recorded by the run that made its calls,
    /// following `reused_from` from run to run (a step reused from a run that had itself reused it).
    /// `lookup` gives a run's manifest by id, nil when it cannot be read; a step whose origin cannot be
    /// found is left out.
    public static func origins(of manifest: RunManifest, lookup: (String) -> RunManifest?) -> [String: StepRecord] {
        var origins: [String: StepRecord] = [:]
        for (id, step) in manifest.steps {
            var from = step.reusedFrom
            var seen: Set<String> = [manifest.runID]
            while let run = from, seen.insert(run).inserted, let origin = lookup(run)?.steps[id] {
                if origin.reusedFrom == nil {
                    origins[id] = origin
                    break
                }
                from = origin.reusedFrom
            }
        }
        return origins
    }

    static func compare(
        step id: String, _ a: StepRecord?, _ b: StepRecord?, runA: String, runB: String, filesA: [String: String], filesB: [String: String],
        originA: StepRecord? = nil, originB: StepRecord? = nil
    ) -> StepComparison {
        guard let a, let b else {
            return StepComparison(stepID: id, onlyIn: a == nil ? "b" : "a", changes: [], parameters: [], files: [])
        }
        var changes: [Change] = []
        if a.status != b.status { changes.append(Change(name: "status", old: a.status.rawValue, new: b.status.rawValue)) }
        let promptA = "\(a.prompt.name)@v\(a.prompt.version)", promptB = "\(b.prompt.name)@v\(b.prompt.version)"
        if promptA != promptB { changes.append(Change(name: "prompt", old: promptA, new: promptB)) }
        if a.prompt.sha256 != b.prompt.sha256 {
            changes.append(Change(name: "prompt sha256", old: String(a.prompt.sha256.prefix(12)), new: String(b.prompt.sha256.prefix(12))))
        }
        // A reused step made no calls in its run: the parameters it was made with are its origin's.
        let callsA = a.reusedFrom == nil ? a.calls : originA?.calls
        let callsB = b.reusedFrom == nil ? b.calls : originB?.calls
        var parameters: [Change] = []
        if let callsA, let callsB { parameters = changesOfParameters(callsA, callsB) }
        let files = fileDifferences(paths: Array(Set(a.outputs).union(b.outputs)), runA: runA, runB: runB, filesA: filesA, filesB: filesB)
        var comparison = StepComparison(stepID: id, onlyIn: nil, changes: changes, parameters: parameters, files: files)
        comparison.reusedFromA = a.reusedFrom
        comparison.reusedFromB = b.reusedFrom
        comparison.parametersCompared = callsA != nil && callsB != nil
        return comparison
    }

    /// The provider, model and parameters of a step's calls, by name; a fan-out whose items differ shows every value.
    static func changesOfParameters(_ a: [CallRecord], _ b: [CallRecord]) -> [Change] {
        func collect(_ calls: [CallRecord]) -> [String: String] {
            var values: [String: Set<String>] = [:]
            for call in calls {
                values["provider", default: []].insert(call.provider)
                values["model", default: []].insert(call.model)
                for (key, value) in call.parameters { values[key, default: []].insert(text(value)) }
            }
            return values.mapValues { $0.sorted().joined(separator: " | ") }
        }
        return changes(collect(a), collect(b))
    }

    static func changes(_ a: [String: String], _ b: [String: String]) -> [Change] {
        Set(a.keys).union(b.keys).sorted().compactMap { key in
            a[key] == b[key] ? nil : Change(name: key, old: a[key], new: b[key])
        }
    }

    static func fileDifferences(paths: [String], runA: String, runB: String, filesA: [String: String], filesB: [String: String]) -> [FileDifference] {
        paths.sorted().compactMap { path in
            let old = filesA[path] ?? "", new = filesB[path] ?? ""
            guard old != new else { return nil }
            let diff = UnifiedDiff.compare(old: old, new: new, oldName: "\(runA)/\(path)", newName: "\(runB)/\(path)")
            return FileDifference(path: path, diff: diff)
        }
    }

    static func text(_ value: Value) -> String {
        value.stringValue.map { JSONText.encode(.string($0), pretty: false) } ?? JSONText.encode(value, pretty: false)
    }

    /// `reused from RUN in A`, for the steps one run or both took from an earlier run; nil for the others.
    static func reuseLine(_ step: StepComparison, runA: String, runB: String) -> String? {
        var parts: [String] = []
        if let a = step.reusedFromA, a == step.reusedFromB {
            parts.append("reused from \(a) in both")
        } else {
            if let a = step.reusedFromA { parts.append("reused from \(a) in \(runA)") }
            if let b = step.reusedFromB { parts.append("reused from \(b) in \(runB)") }
        }
        guard !parts.isEmpty else { return nil }
        let unknown = step.parametersCompared ? "" : " (the run that made its calls is gone: parameters not compared)"
        return parts.joined(separator: ", ") + unknown
    }

    /// The text `quire diff` prints.
    public var rendered: String {
        var out = ""
        // Reused steps are named even when they are the same: why a step has no calls of its own.
        let reused = steps.filter(\.isIdentical).compactMap { step in
            Self.reuseLine(step, runA: runA, runB: runB).map { "step \(step.stepID): same, \($0)\n" }
        }.joined()
        if isIdentical {
            return "runs \(runA) and \(runB) are identical: same inputs, prompts, parameters and outputs\n" + reused
        }
        if !inputs.isEmpty {
            out += "inputs\n"
            for change in inputs { out += "  \(change.line)\n" }
        }
        for step in steps where !step.isIdentical {
            if let onlyIn = step.onlyIn {
                out += "step \(step.stepID): only in \(onlyIn == "a" ? runA : runB)\n"
                continue
            }
            out += "step \(step.stepID)\n"
            if let line = Self.reuseLine(step, runA: runA, runB: runB) { out += "  \(line)\n" }
            for change in step.changes { out += "  \(change.line)\n" }
            for change in step.parameters { out += "  parameter \(change.line)\n" }
            for file in step.files { out += file.diff.rendered }
        }
        if !artifacts.isEmpty {
            out += "artifacts\n"
            for file in artifacts { out += file.diff.rendered }
        }
        out += reused
        let same = steps.count { $0.isIdentical }
        out += "\(steps.count - same) of \(steps.count) steps differ"
        if !artifacts.isEmpty { out += ", \(artifacts.count) artifact\(artifacts.count == 1 ? " differs" : "s differ")" }
        out += "\n"
        return out
    }

    public var value: Value {
        [
            "run_a": .string(runA),
            "run_b": .string(runB),
            "identical": .bool(isIdentical),
            "inputs": .list(inputs.map(\.value)),
            "steps": .list(steps.map(\.value)),
            "artifacts": .list(artifacts.map(\.value)),
        ]
    }
}
