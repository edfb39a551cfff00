/// A post-processor that could not turn a step's output into a value.
public struct PostProcessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The processor's name, e.g. `bullet_list`.
    public var processor: String
    /// Its 0-based position in the pipeline.
    public var position: Int
    /// One line saying what went wrong, e.g. `invalid JSON at 3:14: expected ',' or '}' in an object`.
    public var message: String
    /// Every problem when there are several, e.g. each schema violation (`$.items[2].rating: expected
    /// integer, got string`); `message` already contains them joined, for one-line display.
    public var details: [String]

    public init(processor: String, position: Int, message: String, details: [String] = []) {
        self.processor = processor
        self.position = position
        self.message = message
        self.details = details
    }

    /// `post-processor 'json' failed: invalid JSON at 3:14: …`
    public var description: String { "post-processor '\(processor)' failed: \(message)" }
}
