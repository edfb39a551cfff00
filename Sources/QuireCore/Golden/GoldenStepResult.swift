/// The result of checking one step of one case against its goldens.
public struct GoldenStepResult: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Every output matches its golden, and the golden's prompt, model and parameters are current.
        case passed
        /// An output differs from its golden (or a fan-out item appeared or disappeared).
        case changed
        /// There was no golden; the output was written as the new golden.
        case new
        /// The outputs match, but the prompt, partials, model or parameters that made the golden changed.
        case stale
        /// There is no golden and the record mode does not write one.
        case missing
        /// The step produced no output to compare (a replay miss, a provider or post-processing error),
        /// or its output cannot pass (not JSON, or against the compare schema).
        case failed
        /// The step did not run because a step it depends on failed.
        case skipped

        /// Worst first, for summarising samples and items.
        var severity: Int {
            switch self {
            case .failed: 6
            case .changed: 5
            case .missing: 4
            case .skipped: 3
            case .new: 2
            case .stale: 1
            case .passed: 0
            }
        }
    }

    /// How many of `--samples N` runs passed.
    public struct Samples: Sendable, Hashable {
        public var passed: Int
        public var total: Int

        public init(passed: Int, total: Int) {
            self.passed = passed
            self.total = total
        }
    }

    public var step: String
    public var status: Status
    /// The number of fan-out items the step produced (nil for a plain step).
    public var items: Int?
    /// Unified diffs, one per differing file (golden on the `---` side).
    public var diffs: [String]
    /// Why it failed or is stale, what a comparison measured (similarity), and hints.
    public var notes: [String]
    /// The golden was written by this run (record mode).
    public var recorded: Bool
    /// The step's golden files, workspace-relative.
    public var files: [String]
    public var samples: Samples?
    /// The run produced an output for the step (in the test-output folder), so `quire accept` can take it.
    public var hasOutput: Bool

    public init(
        step: String, status: Status, items: Int? = nil, diffs: [String] = [], notes: [String] = [], recorded: Bool = false,
        files: [String] = [], samples: Samples? = nil, hasOutput: Bool = false
    ) {
        self.step = step
        self.status = status
        self.items = items
        self.diffs = diffs
        self.notes = notes
        self.recorded = recorded
        self.files = files
        self.samples = samples
        self.hasOutput = hasOutput
    }

    /// Passed, with nothing written.
    public var isSuccess: Bool { status == .passed && !recorded }

    /// Whether `quire accept` has something to take for this step: an output that is not the golden yet.
    public var isAcceptable: Bool {
        hasOutput && !recorded && [.changed, .missing, .stale].contains(status)
    }

    /// Combines the results of `--samples N` runs of one step: the worst status, the diffs and notes of
    /// the first run that did not pass, and the pass count.
    public static func combine(_ runs: [GoldenStepResult]) -> GoldenStepResult {
        guard var result = runs.first(where: { !$0.isSuccess }) ?? runs.last else {
            return GoldenStepResult(step: "", status: .skipped)
        }
        result.status = runs.max { $0.status.severity < $1.status.severity }?.status ?? result.status
        result.items = runs.last?.items
        result.samples = Samples(passed: runs.count(where: \.isSuccess), total: runs.count)
        return result
    }
}

/// The results of one case.
public struct GoldenCaseResult: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable {
        /// Model calls were answered from the case's recordings.
        case replay
        /// Model calls went to the provider.
        case live
        /// No model: rendered requests were compared with the recorded ones.
        case renderOnly = "render-only"
    }

    public var workflow: String
    public var caseName: String
    public var source: Source
    public var steps: [GoldenStepResult]
    /// Where the actual outputs were kept, workspace-relative (nil for render-only runs).
    public var outputFolder: String?
    /// Why the case could not run at all (invalid inputs, a provider that cannot be reached); its steps
    /// are then `failed`.
    public var errors: [String]

    public init(workflow: String, caseName: String, source: Source, steps: [GoldenStepResult], outputFolder: String?, errors: [String] = []) {
        self.workflow = workflow
        self.caseName = caseName
        self.source = source
        self.steps = steps
        self.outputFolder = outputFolder
        self.errors = errors
    }
}
