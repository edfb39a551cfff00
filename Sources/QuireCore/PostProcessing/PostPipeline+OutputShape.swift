extension PostPipeline {
    /// What a post-processing pipeline produces, known before anything runs.
    ///
    /// Validation uses it to reject `for_each` over a step whose output is not a list, and to reject
    /// processors that cannot take the previous one's output (`join` on text).
    public enum OutputShape: Sendable, Hashable, CustomStringConvertible {
        /// A string.
        case text
        /// A list of strings.
        case list
        /// A parsed JSON value; `type` is the schema's top-level `type` (`"array"`, `"object"`, …) when the
        /// `json` processor has a schema with a single type, otherwise `nil` (unknown until the run).
        case json(type: String?)

        /// Whether the output is certainly a list (`for_each` can iterate it).
        public var isList: Bool {
            switch self {
            case .list, .json(type: "array"): true
            default: false
            }
        }

        /// Whether the output could be a list: a list, a JSON array, or JSON of unknown type.
        public var mayBeList: Bool {
            switch self {
            case .list, .json(type: "array"), .json(type: nil): true
            default: false
            }
        }

        /// `text`, `list`, `JSON`, `JSON array`, `JSON object`, …
        public var description: String {
            switch self {
            case .text: "text"
            case .list: "list"
            case .json(type: nil): "JSON"
            case .json(type: let type?): "JSON \(type)"
            }
        }
    }
}
