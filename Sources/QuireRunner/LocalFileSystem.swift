import Foundation
import QuireCore

/// The real file system, rooted at a workspace folder. Paths that resolve outside the root (through
/// `..` or a symbolic link) are refused, so a workspace cannot make Quire read or write elsewhere.
public struct LocalFileSystem: WorkspaceFileSystem {
    public let root: URL
    private let resolvedRoot: String

    public init(root: URL) {
        self.root = root.standardizedFileURL
        self.resolvedRoot = self.root.resolvingSymlinksInPath().path
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
        var existing = url.standardizedFileURL
        var missing: [String] = []
        // attributesOfItem does not follow links: a dangling link counts as existing, and is resolved.
        while existing.path != "/", (try? FileManager.default.attributesOfItem(atPath: existing.path)) == nil {
            missing.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        var resolved = existing.resolvingSymlinksInPath().path
        for component in missing { resolved += (resolved.hasSuffix("/") ? "" : "/") + component }
        return resolved
    }

    public func readFile(_ path: String) throws -> Data {
        let url = try url(path)
        let values = try url.resourceValues(forKeys: [.isRegularFileKey])
        guard values.isRegularFile == true else { throw CocoaError(.fileReadNoSuchFile) }
        return try Data(contentsOf: url)
    }

    public func listDirectory(_ path: String) throws -> [DirectoryEntry] {
        let url = try url(path)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        return names.compactMap { name in
            let child = url.appendingPathComponent(name)
            // Symbolic links that leave the workspace are skipped, not followed.
            let resolved = child.resolvingSymlinksInPath().path
            guard resolved.hasPrefix(resolvedRoot + "/") || resolved == resolvedRoot else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: child.path, isDirectory: &isDirectory) else { return nil }
            return DirectoryEntry(name: name, isDirectory: isDirectory.boolValue)
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
