/// `golden.meta.json`: what produced the goldens of one case — its inputs, and for each step the
/// prompt version and hashes, model and parameters, and the step's golden files.
///
/// It holds no timestamps, so re-recording identical goldens changes nothing in git. The same file
/// in `.quire/test-output/<workflow>/<case>/` also holds each step's result of the last test run
/// (``results``), which `quire accept` uses to pick the steps to accept.
public struct GoldenMetadata: Sendable, Hashable {
    public struct StepEntry: Sendable, Hashable {
        public var stamp: GoldenStamp
        /// The step's golden files, relative to the case folder: `plan.json`, or `sections/001.txt`, ….
        public var files: [String]

        public init(stamp: GoldenStamp, files: [String]) {
            self.stamp = stamp
            self.files = files
        }
    }

    public static let fileName = "golden.meta.json"
    public static let formatVersion = 1

    public var workflow: String
    public var caseName: String
    public var inputs: [String: Value]
    public var steps: [String: StepEntry]
    /// Test-output copies only: step id → the status of the last test run (`passed`, `changed`, …).
    public var results: [String: String]

    public init(workflow: String, caseName: String, inputs: [String: Value], steps: [String: StepEntry] = [:], results: [String: String] = [:]) {
        self.workflow = workflow
        self.caseName = caseName
        self.inputs = inputs
        self.steps = steps
        self.results = results
    }

    public var value: Value {
        var object: [String: Value] = [
            "format_version": .int(Self.formatVersion),
            "workflow": .string(workflow),
            "case": .string(caseName),
            "inputs": .object(inputs),
            "steps": .object(steps.mapValues { entry in
                var value = entry.stamp.value.objectValue ?? [:]
                value["files"] = .list(entry.files.map(Value.string))
                return .object(value)
            }),
        ]
        if !results.isEmpty { object["results"] = .object(results.mapValues(Value.string)) }
        return .object(object)
    }

    public var json: String { JSONText.encode(value, pretty: true) + "\n" }

    /// Reads `golden.meta.json`.
    public init(json text: String) throws(ManifestError) {
        let value: Value
        do { value = try JSONText.decode(text) } catch { throw ManifestError("not valid JSON: \(error)") }
        guard let object = value.objectValue else { throw ManifestError("not a JSON object") }
        if case .int(let version) = object["format_version"], version > Self.formatVersion {
            throw ManifestError("format version \(version) is newer than this Quire understands (\(Self.formatVersion))")
        }
        workflow = object["workflow"]?.stringValue ?? ""
        caseName = object["case"]?.stringValue ?? ""
        inputs = object["inputs"]?.objectValue ?? [:]
        var steps: [String: StepEntry] = [:]
        for (id, entry) in object["steps"]?.objectValue ?? [:] {
            let files = entry.objectValue?["files"]?.listValue?.compactMap(\.stringValue) ?? []
            steps[id] = StepEntry(stamp: GoldenStamp(value: entry), files: files)
        }
        self.steps = steps
        results = (object["results"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    /// Why the case's goldens are stale as a whole: its inputs changed. Compared as JSON text.
    public func inputChanges(current: [String: Value]) -> [String] {
        Set(inputs.keys).union(current.keys).sorted().compactMap { name in
            let then = inputs[name].map { JSONText.encode($0, pretty: false) }
            let now = current[name].map { JSONText.encode($0, pretty: false) }
            return then == now ? nil : "input '\(name)' of the case changed since the goldens were made"
        }
    }
}
