import Foundation
import QuireCore

/// The layout of a run folder:
///
/// ```
/// output/<workflow>/<run-id>/
///   manifest.json
///   steps/plan.json            a step's post-processed output (.txt for text, .json otherwise)
///   steps/plan.raw.txt         the model's raw answer, before post-processing
///   steps/sections/001.txt     one file per fan-out item
///   report.md                  artifacts named by `output:`
/// ```
public struct RunFolder: Sendable {
    public let url: URL
    /// The folder relative to the workspace root, for messages.
    public let relativePath: String
    /// `url.path`, kept: the path of every file written is joined to it as a string.
    public let path: String

    public init(url: URL, relativePath: String) {
        self.url = url
        self.relativePath = relativePath
        self.path = url.path
    }

    public var manifestURL: URL { url.appendingPathComponent("manifest.json") }
    public var manifestPath: String { path + "/manifest.json" }

    /// `steps/plan` or `steps/sections/003` (without extension).
    public static func outputStem(step: String, item: Int?) -> String {
        guard let item else { return "steps/\(step)" }
        let digits = String(item)
        return "steps/\(step)/\(String(repeating: "0", count: max(0, 3 - digits.count)))\(digits)"
    }

    /// The relative path an output value is written to: `.txt` for text, `.json` for anything else.
    public static func outputPath(step: String, item: Int?, value: Value) -> String {
        outputStem(step: step, item: item) + (value.stringValue != nil ? ".txt" : ".json")
    }

    public static func rawPath(step: String, item: Int?) -> String {
        outputStem(step: step, item: item) + ".raw.txt"
    }

    /// The bytes of an output file for a value.
    public static func contents(of value: Value) -> String {
        if let text = value.stringValue { return text }
        return JSONText.encode(value, pretty: true) + "\n"
    }

    /// Reads an output back (for resume): `.txt` as text, `.json` as JSON.
    public func readOutput(_ relative: String) throws -> Value {
        let data = try Data(contentsOf: url.appendingPathComponent(relative))
        let text = String(decoding: data, as: UTF8.self)
        if relative.hasSuffix(".json") {
            do { return try JSONText.decode(text) } catch {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(relative): \(error)"])
            }
        }
        return .string(text)
    }

    /// Removes temporary files a killed process left behind mid-write (`.name.UUID.tmp`).
    public func removeStaleTemporaryFiles() {
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return }
        for case let file as URL in enumerator where file.lastPathComponent.hasPrefix(".") && file.pathExtension == "tmp" {
            try? FileManager.default.removeItem(at: file)
        }
    }

    /// Tidies the folder of a run whose manifest says it succeeded: a process killed between that last
    /// manifest write and the end of the command leaves the journal (every call in it is in the
    /// manifest too) and perhaps a temporary file.
    public func removeLeftoversOfFinishedRun() {
        removeStaleTemporaryFiles()
        try? FileManager.default.removeItem(atPath: path + "/" + RunJournal.fileName)
    }

    /// Writes an output of the run. Outputs are new files in all but a resumed or re-run folder.
    public func write(_ text: String, to relative: String) throws {
        try AtomicFileWriter.write(text, toPath: path + "/" + relative, fresh: true)
    }
}
