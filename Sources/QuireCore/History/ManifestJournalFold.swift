/// Folds a run's `journal.jsonl` (one finished fan-out call a line) into the JSON of its manifest,
/// keeping every key of both — the history reads the JSON, not ``RunManifest``, so keys the Swift
/// types do not know survive.
public enum ManifestJournalFold {
    /// The manifest with each journal line's call put in its step (replacing the call of the same item)
    /// and its output added. Lines cut short by a killed process, or naming unknown steps, are skipped.
    public static func apply(journal: String, to manifest: Value) -> Value {
        guard var root = manifest.objectValue, var steps = root["steps"]?.objectValue else { return manifest }
        var touched = false
        for line in journal.split(whereSeparator: \.isNewline) {
            guard let entry = try? JSONText.decode(String(line)).objectValue, let stepID = entry["step"]?.stringValue,
                  let call = entry["call"], call.objectValue != nil, var step = steps[stepID]?.objectValue else { continue }
            let item = call.objectValue?["item"]
            var calls = step["calls"]?.listValue ?? []
            calls.removeAll { $0.objectValue?["item"] == item }
            calls.append(call)
            calls.sort { itemNumber($0) < itemNumber($1) }
            step["calls"] = .list(calls)
            if let output = entry["output"]?.stringValue {
                var outputs = step["outputs"]?.listValue ?? []
                if !outputs.contains(.string(output)) { outputs.append(.string(output)) }
                step["outputs"] = .list(outputs)
            }
            steps[stepID] = .object(step)
            touched = true
        }
        guard touched else { return manifest }
        root["steps"] = .object(steps)
        return .object(root)
    }

    static func itemNumber(_ call: Value) -> Int {
        if case .int(let i) = call.objectValue?["item"] { return i }
        return 0
    }
}
