import Foundation
import QuireCore

/// The response cache on disk: `.quire/cache/<first 2 hex digits>/<key>.json` in the workspace, one
/// ``CachedAnswer`` per file. Folders are owner-only (0700), files too (0600), and every write is atomic.
public struct ResponseCache: Sendable {
    public enum Lookup: Sendable {
        case hit(CachedAnswer)
        case miss
        /// The file exists but cannot be used; it is ignored and overwritten by the next answer.
        case corrupt(String)
    }

    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// `<workspace>/.quire/cache`.
    public init(workspaceRoot: URL) {
        self.init(folder: workspaceRoot.appendingPathComponent(".quire/cache"))
    }

    public func url(forKey key: String) -> URL {
        folder.appendingPathComponent(String(key.prefix(2))).appendingPathComponent("\(key).json")
    }

    /// The answer stored under `key`, if it answers exactly `request` from `provider`.
    public func read(key: String, provider: String, request: ChatRequest) -> Lookup {
        let url = url(forKey: key)
        guard let data = FileManager.default.contents(atPath: url.path) else { return .miss }
        guard let text = String(data: data, encoding: .utf8) else { return .corrupt("\(url.path) is not UTF-8") }
        let answer: CachedAnswer
        do { answer = try CachedAnswer(json: text) } catch { return .corrupt("\(url.path): \(error.description)") }
        // Compared as canonical JSON: a number read back from JSON may be an integer where the request had 0.0.
        guard answer.provider == provider, JSONText.encode(answer.request, pretty: false) == request.canonicalJSON else {
            return .corrupt("\(url.path) holds the answer to another request")
        }
        return .hit(answer)
    }

    /// Stores `answer` atomically as an owner-only file, creating the owner-only folders on first use.
    public func write(_ answer: CachedAnswer, key: String) throws {
        let url = url(forKey: key)
        var json = answer.json
        try json.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            // The common case is one open, write, close and rename; folders are made only when missing.
            var code = AtomicFileWriter.replace(url.path, with: bytes, permissions: 0o600)
            if code == ENOENT {
                let shard = url.deletingLastPathComponent()
                for directory in [folder.deletingLastPathComponent(), folder, shard] where !FileManager.default.fileExists(atPath: directory.path) {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                }
                code = AtomicFileWriter.replace(url.path, with: bytes, permissions: 0o600)
            }
            if code != 0 { throw AtomicFileWriter.posixError(code) }
        }
    }
}
