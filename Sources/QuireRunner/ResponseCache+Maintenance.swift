import Foundation
import QuireCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Looking after the cache on disk (`quire cache info | prune | clear`), and keeping each entry's
/// modification time as its last use, which is what `prune --older-than` goes by.
extension ResponseCache {
    /// Marks an entry as used now (its modification time): a hit keeps an entry from being pruned as
    /// unused. Best effort: an entry that cannot be touched is simply older than it should be.
    public func markUsed(key: String) {
        _ = utimensat(AT_FDCWD, url(forKey: key).path, nil, 0)
    }

    /// The cache's files: stored answers in its shard folders (`<2 hex digits>/`), and temporary files
    /// of writes that were killed. Nothing else is listed — and so nothing else is ever removed, even
    /// when `.quire/cache` is a link to a folder shared with other things. No cache folder: no files.
    public func inventory() throws -> CacheInventory {
        let manager = FileManager.default
        guard manager.fileExists(atPath: folder.path) else { return CacheInventory(files: []) }
        var files: [CacheFile] = []
        for shard in try manager.contentsOfDirectory(atPath: folder.path).sorted() where CacheFile.isShardName(shard) {
            let shardPath = folder.path + "/" + shard
            var status = stat()
            guard lstat(shardPath, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { continue }
            for name in try manager.contentsOfDirectory(atPath: shardPath).sorted() {
                let isEntry = CacheFile.isEntryName(name) && name.hasPrefix(shard)
                guard isEntry || (CacheFile.isLeftoverName(name) && name.dropFirst().hasPrefix(shard)) else { continue }
                guard lstat(shardPath + "/" + name, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
                #if os(Linux)
                let time = status.st_mtim
                #else
                let time = status.st_mtimespec
                #endif
                let modified = Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
                files.append(CacheFile(path: shard + "/" + name, bytes: Int(status.st_size), lastUsed: modified, isEntry: isEntry))
            }
        }
        return CacheInventory(files: files)
    }

    /// Removes `files` (paths relative to the cache folder), then the shard folders left empty.
    /// Stops at the first file that cannot be removed; one already gone counts as removed.
    public func remove(_ files: [CacheFile]) throws {
        var shards = Set<String>()
        for file in files {
            let path = folder.path + "/" + file.path
            if unlink(path) != 0 && errno != ENOENT {
                throw CacheMaintenanceError(path: path, code: errno)
            }
            if let slash = file.path.firstIndex(of: "/") { shards.insert(String(file.path[..<slash])) }
        }
        // rmdir(2) removes only an empty folder: one a concurrent run has just written to stays.
        for shard in shards.sorted() { _ = rmdir(folder.path + "/" + shard) }
    }
}

/// A cache file that could not be removed.
public struct CacheMaintenanceError: Error, CustomStringConvertible {
    public var path: String
    public var code: Int32
    public var description: String { "cannot remove \(path): \(String(cString: strerror(code)))" }
}
