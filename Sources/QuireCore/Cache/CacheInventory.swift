import Foundation

/// One file of the response cache as found on disk: an answer (`<key>.json`), or the temporary file
/// of a write that was killed (`.<key>.json.<pid>-<n>.tmp`).
public struct CacheFile: Sendable, Hashable {
    /// Relative to the cache folder: `ab/ab12….json`.
    public var path: String
    public var bytes: Int
    /// When the entry was written or last answered a request (its modification time).
    public var lastUsed: Date
    /// False for a leftover temporary file.
    public var isEntry: Bool

    public init(path: String, bytes: Int, lastUsed: Date, isEntry: Bool) {
        self.path = path
        self.bytes = bytes
        self.lastUsed = lastUsed
        self.isEntry = isEntry
    }

    /// Whether `name` is a stored answer's file name: 64 lowercase hex digits and `.json`.
    public static func isEntryName(_ name: String) -> Bool {
        guard name.hasSuffix(".json") else { return false }
        return isLowercaseHex(name.utf8.dropLast(5), count: 64)
    }

    /// Whether `name` is a shard folder's name: two lowercase hex digits, the first two of its keys.
    public static func isShardName(_ name: String) -> Bool {
        isLowercaseHex(name.utf8, count: 2)
    }

    private static func isLowercaseHex(_ bytes: some Collection<UInt8>, count: Int) -> Bool {
        bytes.count == count && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Whether `name` is the temporary file of an answer's write (`.<key>.json.<pid>-<n>.tmp`, as the
    /// atomic writer names it), left behind when the process was killed mid-write.
    public static func isLeftoverName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let inner = name.dropFirst().dropLast(4)  // "<key>.json.<pid>-<n>"
        guard let dot = inner.lastIndex(of: "."), isEntryName(String(inner[..<dot])) else { return false }
        let suffix = inner[inner.index(after: dot)...].split(separator: "-", omittingEmptySubsequences: false)
        return suffix.count == 2 && suffix.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
}

/// What `quire cache info` shows, and what `quire cache prune` picks. Pure: the files are listed
/// (and removed) by `ResponseCache`.
public struct CacheInventory: Sendable, Hashable {
    public var files: [CacheFile]

    public init(files: [CacheFile]) {
        self.files = files
    }

    public var entries: [CacheFile] { files.filter(\.isEntry) }
    public var entryCount: Int { files.reduce(0) { $0 + ($1.isEntry ? 1 : 0) } }
    /// Every file's size, leftovers included.
    public var bytes: Int { files.reduce(0) { $0 + $1.bytes } }
    public var oldestUse: Date? { entries.map(\.lastUsed).min() }
    public var newestUse: Date? { entries.map(\.lastUsed).max() }

    /// The files `quire cache prune --older-than` removes: entries not used since `cutoff` (strictly
    /// before it), and leftovers older than it (a write still in progress is younger).
    public func unused(since cutoff: Date) -> [CacheFile] {
        files.filter { $0.lastUsed < cutoff }.sorted { $0.path < $1.path }
    }

    /// "1 entry", "3 entries".
    public static func entries(_ count: Int) -> String {
        "\(count) entr\(count == 1 ? "y" : "ies")"
    }

    /// A size as people read it: "812 bytes", "4.2 KB", "1.5 MB", "2.0 GB" (powers of 1,000).
    public static func size(_ bytes: Int) -> String {
        if bytes < 1000 { return "\(bytes) byte\(bytes == 1 ? "" : "s")" }
        let units = ["KB", "MB", "GB", "TB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 999.95 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}
