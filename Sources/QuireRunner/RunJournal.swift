import Foundation
import QuireCore

/// An append-only log of finished calls (`journal.jsonl`) beside the manifest.
///
/// Rewriting the whole manifest after each of a thousand fan-out items would cost time quadratic in
/// the number of items, so item results are appended here — one JSON line each — and folded into
/// `manifest.json` when a step finishes and when the run ends (after which the journal is removed).
/// A line cut short by a killed process is ignored when the journal is read back.
final class RunJournal: @unchecked Sendable {
    static let fileName = "journal.jsonl"

    private let url: URL
    private var handle: FileHandle?
    /// The journal may end in a partial line (a killed process, a failed write): the next entry starts
    /// on a new line so that it is not glued to the broken one and lost with it.
    private var startNewLine = false

    init(folder: URL) {
        url = folder.appendingPathComponent(Self.fileName)
    }

    deinit { try? handle?.close() }

    func append(step: String, call: CallRecord, output: String?) throws {
        if handle == nil {
            // open(2) rather than FileManager.createFile, which makes an empty file through a temporary
            // file and a rename: two directory changes for nothing.
            let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw AtomicFileWriter.posixError(errno) }
            let opened = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            let end = try opened.seekToEnd()
            if end > 0 {
                try opened.seek(toOffset: end - 1)
                startNewLine = opened.readData(ofLength: 1) != Data("\n".utf8)
                try opened.seekToEnd()
            }
            handle = opened
        }
        var entry: [String: Value] = ["step": .string(step), "call": call.value]
        if let output { entry["output"] = .string(output) }
        let line = (startNewLine ? "\n" : "") + JSONText.encode(.object(entry), pretty: false) + "\n"
        do {
            try handle?.write(contentsOf: Data(line.utf8))
            startNewLine = false
        } catch {
            startNewLine = true
            throw error
        }
    }

    /// Removes the journal once everything in it is in the manifest.
    func remove() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: url)
    }

    /// Applies the journal of `folder` (if any) to `manifest`.
    static func replay(into manifest: inout RunManifest, folder: URL) {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let value = try? JSONText.decode(String(line)), let entry = value.objectValue,
                  let step = entry["step"]?.stringValue, let callValue = entry["call"],
                  var record = manifest.steps[step] else { continue }
            let call = CallRecord(value: callValue)
            record.calls.removeAll { $0.item == call.item }
            record.calls.append(call)
            record.calls.sort { ($0.item ?? 0) < ($1.item ?? 0) }
            if let output = entry["output"]?.stringValue, !record.outputs.contains(output) { record.outputs.append(output) }
            manifest.steps[step] = record
        }
    }
}
