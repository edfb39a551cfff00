/// Decides one step's result from its golden files, its actual output files, staleness and the record
/// mode. Pure: the caller reads and writes the files.
public struct GoldenEvaluator: Sendable {
    /// The case's golden folder (`golden/<workflow>/<case>`) and test-output folder, workspace-relative.
    public var goldenFolder: String
    public var outputFolder: String
    public var record: RecordMode

    public init(goldenFolder: String, outputFolder: String, record: RecordMode) {
        self.goldenFolder = goldenFolder
        self.outputFolder = outputFolder
        self.record = record
    }

    /// What happened to the step in the run.
    public enum Outcome: Sendable, Hashable {
        /// Output files, relative to the case folder (`plan.json`, `sections/001.txt`) → text.
        case produced([String: String], items: Int?)
        /// No output: why (one line per error), and diffs that show it (a rendered request against the
        /// recorded one after a replay miss).
        case failed(errors: [String], diffs: [String] = [])
        /// Not run: the failed steps it depends on.
        case skipped(blockedBy: [String])
        /// Replay found no recording at all for the step: it was never recorded for this case.
        case unrecorded(hint: String)
    }

    /// - Parameters:
    ///   - golden: the step's golden files, relative to the case folder → text.
    ///   - stale: reasons the golden's provenance is out of date (see ``GoldenStamp/changes(since:)``).
    public func evaluate(step: String, outcome: Outcome, golden: [String: String], mode: CompareMode, stale: [String]) -> GoldenStepResult {
        let goldenPaths = golden.keys.sorted().map { "\(goldenFolder)/\($0)" }
        var staleNotes = stale
        switch outcome {
        case .skipped(let blockers):
            let list = blockers.map { "'\($0)'" }.joined(separator: ", ")
            return GoldenStepResult(step: step, status: .skipped, notes: ["not run: it depends on failed step\(blockers.count == 1 ? "" : "s") \(list)"], files: goldenPaths)
        case .unrecorded(let hint):
            // Without a golden too, the step is simply missing; with one, its recordings were lost.
            if golden.isEmpty {
                return GoldenStepResult(step: step, status: .missing, notes: ["no golden and no recording under \(goldenFolder)/; \(hint)"])
            }
            return GoldenStepResult(step: step, status: .failed, notes: staleNotes + ["replay miss: the step has goldens but no recording; \(hint)"], files: goldenPaths)
        case .failed(let errors, let diffs):
            // The cause (a prompt that changed) first, then what it did.
            return GoldenStepResult(step: step, status: .failed, diffs: diffs, notes: staleNotes + errors, files: goldenPaths)
        case .produced(let actual, let items):
            let hasGolden = !golden.isEmpty
            guard hasGolden else {
                let writes = record.writes(hasGolden: false, matches: false)
                let note = writes
                    ? "no golden yet: recorded \(actual.count) file\(actual.count == 1 ? "" : "s") under \(goldenFolder)/ (record mode '\(record.rawValue)')"
                    : "no golden under \(goldenFolder)/ and record mode '\(record.rawValue)' writes none; the output is in \(outputFolder)/"
                return GoldenStepResult(
                    step: step, status: writes ? .new : .missing, items: items, notes: [note], recorded: writes,
                    files: actual.keys.sorted(by: Self.pathOrder).map { "\(goldenFolder)/\($0)" }, hasOutput: true)
            }
            var diffs: [String] = []
            var notes: [String] = []
            var changed = false
            var invalid = false
            for path in Set(actual.keys).union(golden.keys).sorted(by: Self.pathOrder) {
                let goldenName = "\(goldenFolder)/\(path)", actualName = "\(outputFolder)/\(path)"
                switch (golden[path], actual[path]) {
                case (let expected?, let text?):
                    let verdict = GoldenComparison.compare(golden: expected, actual: text, mode: mode, goldenName: goldenName, actualName: actualName)
                    notes += verdict.notes.map { golden.count > 1 ? "\(path): \($0)" : $0 }
                    if !verdict.diff.isEmpty && verdict.kind != .equal { diffs.append(verdict.diff) }
                    if verdict.kind == .different { changed = true }
                    if verdict.kind == .invalid { invalid = true }
                case (nil, let text?):
                    changed = true
                    notes.append("\(path) is new: the golden has no such file")
                    diffs.append(UnifiedDiff.make(old: "", new: text, oldName: "/dev/null", newName: actualName))
                case (let expected?, nil):
                    changed = true
                    notes.append("\(path) was not produced: the golden has it")
                    diffs.append(UnifiedDiff.make(old: expected, new: "", oldName: goldenName, newName: "/dev/null"))
                case (nil, nil):
                    break
                }
            }
            if let items {
                let goldenItems = golden.keys.filter { $0.contains("/") }.count
                if goldenItems != items { notes.insert("the step produced \(items) item\(items == 1 ? "" : "s"); the golden has \(goldenItems)", at: 0) }
            }
            let status: GoldenStepResult.Status = invalid ? .failed : changed ? .changed : stale.isEmpty ? .passed : .stale
            if status == .passed { staleNotes = [] }
            let writes = !invalid && record.writes(hasGolden: true, matches: status == .passed)
            if writes && status != .passed { notes.append("recorded as the new golden (record mode '\(record.rawValue)')") }
            return GoldenStepResult(
                step: step, status: status, items: items, diffs: diffs, notes: notes + staleNotes, recorded: writes,
                files: (writes ? actual : golden).keys.sorted(by: Self.pathOrder).map { "\(goldenFolder)/\($0)" }, hasOutput: true)
        }
    }

    /// The order of a step's files: `plan.json` before `sections/001.txt` before `sections/002.txt`.
    public static func pathOrder(_ a: String, _ b: String) -> Bool {
        let da = a.contains("/"), db = b.contains("/")
        return da == db ? a < b : !da
    }
}
