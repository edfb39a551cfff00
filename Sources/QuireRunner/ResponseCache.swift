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
        let data = Array(answer.json.utf8)
        // The common case is one open, write, close and rename; folders are made only when missing.
        if Self.writeOwnerOnly(data, to: url) == ENOENT {
            let shard = url.deletingLastPathComponent()
            for directory in [folder.deletingLastPathComponent(), folder, shard] where !FileManager.default.fileExists(atPath: directory.path) {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let code = Self.writeOwnerOnly(data, to: url)
            if code != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(code))]) }
        }
    }

    /// A temporary file created 0600 (a umask can only remove bits) in the same folder, then a rename.
    /// Returns 0 or the errno of the step that failed.
    static func writeOwnerOnly(_ bytes: [UInt8], to url: URL) -> Int32 {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { return errno }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, url.path) != 0 { failure = errno }
        if failure != 0 { unlink(temporary) }
        return failure
    }
}
