import Foundation
import QuireCore
#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// The real file system, rooted at a workspace folder. Paths that resolve outside the root (through
/// `..` or a symbolic link) are refused, so a workspace cannot make Quire read or write elsewhere.
public struct LocalFileSystem: WorkspaceFileSystem {
    public let root: URL
    private let resolvedRoot: String

    public init(root: URL) {
        self.root = root.standardizedFileURL
        self.resolvedRoot = Self.canonicalPath(self.root.path)
    }

    public struct OutsideWorkspace: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "'\(path)' resolves to a location outside the workspace" }
    }

    /// The absolute URL of a workspace-relative path, after checking it stays inside the workspace.
    public func url(_ path: String) throws -> URL {
        let url = path.isEmpty || path == "." ? root : root.appendingPathComponent(path)
        let resolved = Self.resolved(url)
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot.hasSuffix("/") ? resolvedRoot : resolvedRoot + "/") else {
            throw OutsideWorkspace(path: path)
        }
        return url
    }

    /// The path with every symbolic link resolved, also when its last components do not exist yet
    /// (a run folder about to be made): the longest existing prefix is resolved and the rest appended.
    /// `resolvingSymlinksInPath` alone leaves a path that does not exist untouched, so `out/run`
    /// under a link `out` to a folder elsewhere would look like it stays inside.
    static func resolved(_ url: URL) -> String {
        var existing = url.standardizedFileURL.path
        var missing: [String] = []
        // lstat does not follow links: a dangling link counts as existing, and is resolved.
        var status = stat()
        while existing != "/", lstat(existing, &status) != 0 {
            let slash = existing.lastIndex(of: "/") ?? existing.startIndex
            missing.insert(String(existing[existing.index(after: slash)...]), at: 0)
            existing = slash == existing.startIndex ? "/" : String(existing[..<slash])
        }
        var resolved = canonicalPath(existing)
        for component in missing { resolved += (resolved.hasSuffix("/") ? "" : "/") + component }
        return resolved
    }

    /// `realpath(3)` of a path that exists; Foundation's slower resolution when it fails (a dangling link).
    static func canonicalPath(_ path: String) -> String {
        guard let pointer = realpath(path, nil) else {
            return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Reads a regular file whole (a link is followed once `url(_:)` has checked where it leads).
    /// Plain `open`/`fstat`/`read`: Foundation's resource values and `Data(contentsOf:)` cost several
    /// times more, and loading a workspace reads every prompt file.
    public func readFile(_ path: String) throws -> Data {
        let url = try url(path)
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReadFailure(path: path, code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ReadFailure(path: path, code: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw ReadFailure(path: path, code: nil) }
        var data = Data(count: Int(status.st_size))
        var filled = 0
        while true {
            if filled == data.count { data.count += max(4096, data.count) }  // the file grew meanwhile
            let read = data.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if read < 0 {
                if errno == EINTR { continue }
                throw ReadFailure(path: path, code: errno)
            }
            if read == 0 { break }
            filled += read
        }
        data.count = filled
        return data
    }

    public struct ReadFailure: Error, CustomStringConvertible {
        public var path: String
        /// The `errno` of the failed call; nil when the path is not a regular file.
        public var code: Int32?
        public var description: String {
            guard let code else { return "'\(path)' is not a regular file" }
            return String(cString: strerror(code))
        }
    }

    public func listDirectory(_ path: String) throws -> [DirectoryEntry] {
        let url = try url(path)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        return names.compactMap { name in
            let child = url.appendingPathComponent(name)
            // Symbolic links that leave the workspace are skipped, not followed; so are dangling ones.
            guard let pointer = realpath(child.path, nil) else { return nil }
            let resolved = String(cString: pointer)
            free(pointer)
            guard resolved.hasPrefix(resolvedRoot + "/") || resolved == resolvedRoot else { return nil }
            var status = stat()
            guard stat(resolved, &status) == 0 else { return nil }
            return DirectoryEntry(name: name, isDirectory: status.st_mode & S_IFMT == S_IFDIR)
        }
    }

    public func fileExists(_ path: String) -> Bool {
        guard let url = try? url(path) else { return false }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    public func directoryExists(_ path: String) -> Bool {
        guard let url = try? url(path) else { return false }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
