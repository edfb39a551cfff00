/// One step of a workflow: a model call rendered from a prompt, or a template rendered locally.
public struct Step: Sendable {
    public enum Kind: Sendable, Hashable {
        /// Sends the prompt's messages to a model.
        case prompt(PromptReference)
        /// Renders a prompt's body locally; no model call.
        case template(PromptReference)

        public var reference: PromptReference {
            switch self {
            case .prompt(let r), .template(let r): r
            }
        }

        public var callsModel: Bool {
            if case .prompt = self { return true }
            return false
        }
    }

    /// What to do when the model stops because of `max_tokens` (`finish_reason: length`).
    public enum LengthPolicy: String, Sendable, Hashable {
        case warn, error
    }

    public var id: String
    public var kind: Kind
    public var description: String?
    /// A step id (or a list input) to fan out over: one call per item.
    public var forEach: String?
    /// The item's variable name inside the prompt (default `item`).
    public var itemName: String
    public var needs: [String]
    public var provider: String?
    public var parameters: ModelParameters
    public var post: PostPipeline
    /// A file name for the step's output among the run's final artifacts.
    public var output: String?
    public var onLength: LengthPolicy
    /// Constant variables passed to the prompt.
    public var vars: [String: Value]
    /// How `quire test` compares the step's output with its golden file (`compare:`).
    public var compare: CompareMode = .exact

    /// Where each key of the step was written, for diagnostics (`id`, `prompt`, `for_each`, `needs[0]`, …).
    public var locations: [String: SourceLocation]
    public var location: SourceLocation

    public func location(of key: String) -> SourceLocation { locations[key] ?? location }
}
