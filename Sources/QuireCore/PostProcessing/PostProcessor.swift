/// One named step that turns a model's raw output into a value; ``PostPipeline`` applies them in order.
///
/// The set, with arguments as written in a workflow's `post:` list (see `docs/post-processors.md`):
///
/// | name | argument | takes | gives |
/// |---|---|---|---|
/// | `trim` | – | text or list | same, whitespace trimmed (element-wise on lists) |
/// | `strip_code_fences` | – | text or list | same, a surrounding ```` ``` ```` fence removed |
/// | `lowercase`, `uppercase` | – | text or list | same, case changed |
/// | `first_line` | – | text | first non-empty line, trimmed |
/// | `truncate` | characters | text or list | same, at most that many characters |
/// | `replace` | `{pattern, with}` | text or list | same, every match replaced |
/// | `bullet_list` | – | text | list of `-`/`*`/`+`/`•` items |
/// | `numbered_list` | – | text | list of `1.`/`1)` items |
/// | `list` | – | text | list of bullet or numbered items |
/// | `lines` | – | text | list of non-empty trimmed lines |
/// | `split` | separator | text | list of non-empty trimmed pieces |
/// | `join` | separator (default newline) | list | text |
/// | `regex` | pattern or `{pattern, group, all}` | text | the match (text), or all matches (list) |
/// | `json` | optional `{schema}` | text | the parsed JSON value, checked against the schema |
public enum PostProcessor: Sendable, Hashable, CustomStringConvertible {
    /// Which capture group `regex` extracts.
    public enum Group: Sendable, Hashable, CustomStringConvertible {
        case number(Int)
        case name(String)

        public var description: String {
            switch self {
            case .number(let n): "\(n)"
            case .name(let name): PostProcessor.quoted(name)
            }
        }
    }

    case trim
    case stripCodeFences
    case lowercase
    case uppercase
    case firstLine
    /// At most this many characters (grapheme clusters).
    case truncate(Int)
    /// Regex replacement; `$1` in the template inserts a group.
    case replace(RegexPattern, with: String)
    case bulletList
    case numberedList
    case list
    case lines
    /// Split on a literal separator.
    case split(String)
    /// Join list items with a separator.
    case join(String)
    /// The first match (or, with `all`, every match) of a pattern, or one of its groups.
    case regex(RegexPattern, group: Group, all: Bool)
    /// Parse JSON, tolerating a code fence around it, and optionally check it against a schema.
    case json(schema: JSONSchema?)

    /// All names, in documentation order.
    public static let names: [String] = [
        "trim", "strip_code_fences", "lowercase", "uppercase", "first_line", "truncate", "replace",
        "bullet_list", "numbered_list", "list", "lines", "split", "join", "regex", "json",
    ]

    /// The name as written in a workflow, e.g. `bullet_list`.
    public var name: String {
        switch self {
        case .trim: "trim"
        case .stripCodeFences: "strip_code_fences"
        case .lowercase: "lowercase"
        case .uppercase: "uppercase"
        case .firstLine: "first_line"
        case .truncate: "truncate"
        case .replace: "replace"
        case .bulletList: "bullet_list"
        case .numberedList: "numbered_list"
        case .list: "list"
        case .lines: "lines"
        case .split: "split"
        case .join: "join"
        case .regex: "regex"
        case .json: "json"
        }
    }

    /// A stable one-line form for manifests, with every argument spelled out:
    /// `trim`, `truncate(200)`, `regex(pattern: "Title: (.*)", group: 1)`, `join("\n")`,
    /// `json(schema: {"type":"array"})`. Strings are JSON-quoted.
    public var description: String {
        switch self {
        case .trim, .stripCodeFences, .lowercase, .uppercase, .firstLine, .bulletList, .numberedList, .list,
            .lines, .json(schema: nil):
            return name
        case .truncate(let count):
            return "truncate(\(count))"
        case .replace(let pattern, let template):
            return "replace(pattern: \(PostProcessor.quoted(pattern.pattern)), with: \(PostProcessor.quoted(template)))"
        case .split(let separator):
            return "split(\(PostProcessor.quoted(separator)))"
        case .join(let separator):
            return "join(\(PostProcessor.quoted(separator)))"
        case .regex(let pattern, let group, let all):
            return "regex(pattern: \(PostProcessor.quoted(pattern.pattern)), group: \(group)"
                + (all ? ", all: true)" : ")")
        case .json(schema: let schema?):
            return "json(schema: \(JSONText.encode(schema.schema, pretty: false)))"
        }
    }

    static func quoted(_ text: String) -> String { JSONText.encode(.string(text), pretty: false) }

    // MARK: - Shapes

    /// Processors that map text to text, and apply to each item of a list.
    var mapsText: Bool {
        switch self {
        case .trim, .stripCodeFences, .lowercase, .uppercase, .truncate, .replace: true
        default: false
        }
    }

    /// The names of processors that turn text into a list, for messages.
    static let listProducers = "bullet_list, numbered_list, list, lines, split, or regex with all: true"

    /// What this processor produces from `input`, or why it cannot take `input`. An unknown input
    /// (`nil`, after an invalid processor) is accepted.
    func outputShape(from input: PostPipeline.OutputShape?) -> Result<PostPipeline.OutputShape?, ShapeMismatch> {
        func mismatch(_ needs: String, _ hint: String = "") -> Result<PostPipeline.OutputShape?, ShapeMismatch> {
            let got = input.map { $0 == .text ? "text" : "a \($0)" } ?? "unknown"
            return .failure(
                ShapeMismatch(message: "'\(name)' needs \(needs), but the output is \(got) at this point\(hint)"))
        }
        if mapsText {
            switch input {
            case nil, .text, .list, .json(type: nil), .json(type: "array"): return .success(input)
            case .json(type: "string"): return .success(.text)
            default: return mismatch("text or a list of texts")
            }
        }
        if case .join = self {
            switch input {
            case nil, .list, .json(type: nil), .json(type: "array"): return .success(.text)
            default:
                return mismatch("a list", "; put a list-producing processor (\(PostProcessor.listProducers)) before it")
            }
        }
        switch input {
        case nil, .text, .json(type: nil), .json(type: "string"): break
        case .list, .json:
            return mismatch("text", input == .list ? "; add 'join' before it to make the list one text" : "")
        }
        switch self {
        case .firstLine: return .success(.text)
        case .bulletList, .numberedList, .list, .lines, .split: return .success(.list)
        case .regex(_, _, let all): return .success(all ? .list : .text)
        case .json(let schema): return .success(.json(type: schema?.topLevelType))
        default: return .success(.text)
        }
    }

    struct ShapeMismatch: Error {
        var message: String
    }
}
