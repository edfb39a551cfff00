import Foundation

/// The input sets of `quire run --batch FILE`: one run per entry, all at once.
///
/// A batch file is YAML (or JSON) holding a list of mappings, each mapping the inputs of one run:
///
/// ```yaml
/// - topic: Structured concurrency in Swift
/// - {topic: How SQLite's write-ahead log works, audience: backend developers}
/// - case: sqlite-wal          # start from a named case of the workflow…
///   audience: DBAs            # …and override some of its inputs
/// ```
///
/// A `.jsonl` file holds one JSON object per line instead. Values are checked against the workflow's
/// inputs later, by ``InputResolver``, entry by entry.
public struct InputBatch: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// 1-based position in the file.
        public var index: Int
        /// `case:` of the entry: the named case its inputs start from.
        public var caseName: String?
        /// The entry's inputs, without `case:`.
        public var values: [String: Value]
        /// Where the entry starts.
        public var location: SourceLocation?

        public init(index: Int, caseName: String? = nil, values: [String: Value], location: SourceLocation? = nil) {
            self.index = index
            self.caseName = caseName
            self.values = values
            self.location = location
        }

        /// How progress lines and errors name the entry: its case, else its position.
        public var label: String { caseName.map { "\(index) (case \($0))" } ?? "\(index)" }
    }

    /// The most runs one batch may start: each is a run folder and a manifest.
    public static let maximumEntries = 1_000

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses a batch file; `path` names it in diagnostics and decides the format (`.jsonl`: JSON lines).
    public static func parse(_ text: String, path: String) -> Result<InputBatch, DiagnosticError> {
        path.lowercased().hasSuffix(".jsonl") ? parseJSONLines(text, path: path) : parseYAML(text, path: path)
    }

    static func parseYAML(_ text: String, path: String) -> Result<InputBatch, DiagnosticError> {
        let root: YAMLNode
        switch YAMLDocument.parse(text, file: path) {
        case .failure(let error): return .failure(error)
        case .success(nil):
            return .failure(DiagnosticError(.error("run.invalid-batch", "the batch file \(path) is empty: it needs a list of input mappings, one per run", at: SourceLocation(file: path, line: 1, column: 1))))
        case .success(let node?): root = node
        }
        guard let items = root.sequence else {
            return .failure(DiagnosticError(.error(
                "run.invalid-batch", "a batch file holds a list of input mappings (one per run), got \(root.typeName)",
                at: root.location, suggestion: "write each run as a list item: `- topic: …`")))
        }
        var entries: [Entry] = []
        var problems: [Diagnostic] = []
        for (offset, item) in items.enumerated() {
            guard case .object(var values) = item.value else {
                problems.append(.error("run.invalid-batch", "batch entry \(offset + 1) must be a mapping of input names to values, got \(item.typeName)", at: item.location))
                continue
            }
            var caseName: String?
            if let named = values.removeValue(forKey: "case") {
                guard case .string(let name) = named else {
                    problems.append(.error("run.invalid-batch", "batch entry \(offset + 1): 'case' must be the name of a case of the workflow", at: item["case"]?.location ?? item.location))
                    continue
                }
                caseName = name
            }
            entries.append(Entry(index: offset + 1, caseName: caseName, values: values, location: item.location))
        }
        return finish(entries, problems: problems, path: path, location: root.location)
    }

    static func parseJSONLines(_ text: String, path: String) -> Result<InputBatch, DiagnosticError> {
        var entries: [Entry] = []
        var problems: [Diagnostic] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let location = SourceLocation(file: path, line: lineNumber, column: 1)
            var parser = JSONParser(String(line))
            let value: Value
            do throws(JSONParseError) {
                value = try parser.parseDocument()
            } catch {
                problems.append(.error("run.invalid-batch", "invalid JSON: \(error.message)", at: SourceLocation(file: path, line: lineNumber, column: error.column)))
                continue
            }
            guard case .object(var values) = value else {
                problems.append(.error("run.invalid-batch", "each line of a .jsonl batch file must be a JSON object of inputs, got \(value.typeName)", at: location))
                continue
            }
            var caseName: String?
            if let named = values.removeValue(forKey: "case") {
                guard case .string(let name) = named else {
                    problems.append(.error("run.invalid-batch", "'case' must be the name of a case of the workflow", at: location))
                    continue
                }
                caseName = name
            }
            entries.append(Entry(index: entries.count + 1, caseName: caseName, values: values, location: location))
        }
        return finish(entries, problems: problems, path: path, location: SourceLocation(file: path, line: 1, column: 1))
    }

    static func finish(_ entries: [Entry], problems: [Diagnostic], path: String, location: SourceLocation) -> Result<InputBatch, DiagnosticError> {
        var problems = problems
        if entries.isEmpty && problems.isEmpty {
            problems.append(.error("run.invalid-batch", "the batch file \(path) lists no runs", at: location))
        }
        if entries.count > maximumEntries {
            problems.append(.error("run.invalid-batch", "the batch file \(path) lists \(entries.count) runs; one batch runs at most \(maximumEntries)", at: location, suggestion: "split it into several files"))
        }
        return problems.isEmpty ? .success(InputBatch(entries: entries)) : .failure(DiagnosticError(problems))
    }
}
