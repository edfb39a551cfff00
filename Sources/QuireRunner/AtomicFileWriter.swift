import Foundation
import Synchronization

/// Writes files atomically: a temporary file in the same folder, then a rename. A reader never sees a
/// half-written file, and a failed write leaves the old file as it was.
public enum AtomicFileWriter {
    public static func write(_ data: Data, to url: URL, permissions: Int? = nil) throws {
        try data.withUnsafeBytes { try write(bytes: $0, path: url.path, permissions: permissions) }
    }

    public static func write(_ text: String, to url: URL, permissions: Int? = nil) throws {
        try write(text, toPath: url.path, permissions: permissions)
    }

    /// Writes `text` to the file at `path` (absolute): the run folder's files go through here, with
    /// their paths joined as strings — a `URL` per file showed up in a fan-out's profile.
    public static func write(_ text: String, toPath path: String, permissions: Int? = nil) throws {
        var text = text
        try text.withUTF8 { try write(bytes: UnsafeRawBufferPointer($0), path: path, permissions: permissions) }
    }

    private static func write(bytes buffer: UnsafeRawBufferPointer, path: String, permissions: Int?) throws {
        var failure = replace(path, with: buffer, permissions: permissions)
        if failure == ENOENT, let slash = path.lastIndex(of: "/") {
            // The folder is missing: made only then, so the common case costs no stat calls.
            try FileManager.default.createDirectory(atPath: String(path[..<slash]), withIntermediateDirectories: true)
            failure = replace(path, with: buffer, permissions: permissions)
        }
        if failure != 0 { throw posixError(failure) }
    }

    /// The write itself: a temporary file beside `path` (created with `permissions`, default 0644,
    /// and set to exactly that), the bytes, then a rename over `path`. Returns 0, or the errno of the
    /// step that failed (ENOENT: the folder is missing), after removing the temporary file.
    static func replace(_ path: String, with buffer: UnsafeRawBufferPointer, permissions: Int?) -> Int32 {
        guard let slash = path.lastIndex(of: "/") else { return EINVAL }
        let prefix = "\(path[..<slash])/.\(path[path.index(after: slash)...]).\(processID)-"
        // open/write/close without fsync: the rename is what makes the write atomic for readers and
        // for a killed process; an fsync per file cost more than the rest of a run's bookkeeping.
        let mode = mode_t(permissions ?? 0o644)
        var temporary = ""
        var fd: Int32 = -1
        // The process id and a counter name the temporary file (O_EXCL: never an existing file or link);
        // a name left behind by a killed process with the same id is skipped.
        for _ in 0..<64 {
            temporary = "\(prefix)\(counter.add(1, ordering: .relaxed).newValue).tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { return errno }
        var failure: Int32 = 0
        var offset = 0
        while offset < buffer.count {
            let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            offset += n
        }
        // The mode given to open(2) is filtered by the umask; owner-only files must be exactly that.
        if failure == 0, permissions != nil, fchmod(fd, mode) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 { unlink(temporary) }
        return failure
    }

    private static let processID = getpid()
    private static let counter = Atomic<UInt64>(0)

    static func posixError(_ code: Int32) -> Error {
        CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(code))])
    }
}
