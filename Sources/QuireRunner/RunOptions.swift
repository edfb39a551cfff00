/// Choices made on the command line for one run.
public struct RunOptions: Sendable {
    /// The most model calls in flight at once, over all steps.
    public var concurrency: Int
    /// Ask providers to stream answers and report the text as it arrives.
    public var stream: Bool
    /// `--model`: overrides every model step's model.
    public var model: String?
    /// `--provider`: overrides every model step's provider.
    public var provider: String?

    public init(concurrency: Int = 8, stream: Bool = false, model: String? = nil, provider: String? = nil) {
        self.concurrency = max(1, concurrency)
        self.stream = stream
        self.model = model
        self.provider = provider
    }
}
