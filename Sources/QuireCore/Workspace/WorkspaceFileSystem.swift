import Foundation

/// An entry of a directory listing.
public struct DirectoryEntry: Sendable, Hashable {
    public var name: String
    public var isDirectory: Bool

    public init(name: String, isDirectory: Bool) {
        self.name = name
        self.isDirectory = isDirectory
    }
}

/// Read access to a workspace, by paths relative to its root (`prompts/plan/v1.prompt`).
///
/// The core never touches the disk: the CLI passes a real implementation, tests an in-memory one.
public protocol WorkspaceFileSystem: Sendable {
    /// The file's bytes; throws if it does not exist or is not a regular file inside the workspace.
    func readFile(_ path: String) throws -> Data
    /// The entries of a directory, in any order; throws if it does not exist.
    func listDirectory(_ path: String) throws -> [DirectoryEntry]
    func fileExists(_ path: String) -> Bool
    func directoryExists(_ path: String) -> Bool
}

/// A workspace held in memory: for tests and for `quire init`'s example.
public struct InMemoryFileSystem: WorkspaceFileSystem {
    public var files: [String: Data]

    public init(files: [String: Data] = [:]) { self.files = files }

    public init(texts: [String: String]) {
        self.files = texts.mapValues { Data($0.utf8) }
    }

    struct NotFound: Error, CustomStringConvertible {
        var path: String
        var description: String { "no such file: \(path)" }
    }

    public func readFile(_ path: String) throws -> Data {
        guard let data = files[Self.normalize(path)] else { throw NotFound(path: path) }
        return data
    }

    public func listDirectory(_ path: String) throws -> [DirectoryEntry] {
        let dir = Self.normalize(path)
        let prefix = dir.isEmpty ? "" : dir + "/"
        var entries: [String: Bool] = [:]
        for key in files.keys where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                entries[String(rest[..<slash])] = true
            } else {
                entries[String(rest)] = entries[String(rest)] ?? false
            }
        }
        if entries.isEmpty && !dir.isEmpty { throw NotFound(path: path) }
        return entries.map { DirectoryEntry(name: $0.key, isDirectory: $0.value) }
    }

    public func fileExists(_ path: String) -> Bool { files[Self.normalize(path)] != nil }

    public func directoryExists(_ path: String) -> Bool {
        let prefix = Self.normalize(path) + "/"
        return files.keys.contains { $0.hasPrefix(prefix) }
    }

    static func normalize(_ path: String) -> String {
        var p = path
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.hasSuffix("/") { p.removeLast() }
        return p == "." ? "" : p
    }
}
