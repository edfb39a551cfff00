/// One step of a run in the history: what produced it and how it ended.
public struct HistoryStep: Sendable, Hashable {
    public var runID: String
    public var stepID: String
    /// The step's place in the plan (0-based), for listing in plan order.
    public var position: Int
    public var kind: String
    public var status: String
    public var promptName: String
    public var promptVersion: Int
    public var promptSHA256: String
    public var error: String?
    /// The run this step's output was copied from (`quire run --from` / `--only`); nil when it ran here.
    public var reusedFrom: String?

    public init(
        runID: String, stepID: String, position: Int, kind: String, status: String, promptName: String, promptVersion: Int,
        promptSHA256: String, error: String? = nil, reusedFrom: String? = nil
    ) {
        self.runID = runID
        self.stepID = stepID
        self.position = position
        self.kind = kind
        self.status = status
        self.promptName = promptName
        self.promptVersion = promptVersion
        self.promptSHA256 = promptSHA256
        self.error = error
        self.reusedFrom = reusedFrom
    }

    /// `publishing-plan@v2`, or the bare name when the version is unknown.
    public var promptID: String { promptVersion > 0 ? "\(promptName)@v\(promptVersion)" : promptName }
}
