import ArgumentParser
import Foundation
import QuireCore
import QuireRunner

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Look after the response cache (.quire/cache/): its size, and removing what is no longer used.",
        discussion: """
            A deterministic request (temperature 0, or a seed) is answered once and stored; the same request \
            to the same provider is then answered from .quire/cache/ at no cost. Each entry's last use (its \
            modification time) is updated on every hit, so `prune --older-than` removes only what no run has \
            needed for that long.

            Examples:
              quire cache info
              quire cache prune --older-than 30d --dry-run
              quire cache prune --older-than 30d
              quire cache clear
            """,
        subcommands: [Info.self, Prune.self, Clear.self])

    static let relativePath = ".quire/cache/"

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info",
            abstract: "Show how many answers the cache holds, their size, and when they were last used.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print the figures as JSON on stdout.")
        var json = false

        func run() async throws {
            let inventory = try CacheCommand.inventory(try CacheCommand.cache(global), global: global)
            let others = inventory.files.filter { !$0.isEntry }
            if json {
                Console.out(JSONText.encode([
                    "path": .string(CacheCommand.relativePath),
                    "entries": .int(inventory.entryCount),
                    "bytes": .int(inventory.bytes),
                    "other_files": .int(others.count),
                    "oldest_use": inventory.oldestUse.map { .string(CacheCommand.timestamp($0)) } ?? .null,
                    "newest_use": inventory.newestUse.map { .string(CacheCommand.timestamp($0)) } ?? .null,
                ], pretty: true))
                return
            }
            var line = "\(CacheCommand.relativePath): \(CacheInventory.entries(inventory.entryCount)), \(CacheInventory.size(inventory.bytes))"
            if let oldest = inventory.oldestUse, let newest = inventory.newestUse {
                line += "; last used \(CacheCommand.display(oldest))"
                if newest != oldest { line += " … \(CacheCommand.display(newest))" }
                line += " (UTC)"
            }
            Console.out(line)
            if !others.isEmpty {
                Console.out("\(others.count) other file\(others.count == 1 ? "" : "s") (\(CacheInventory.size(others.reduce(0) { $0 + $1.bytes }))), left by interrupted writes: `quire cache clear` removes them, and `prune` once they are as old as its span")
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Remove the answers no run has used for a while.",
            discussion: """
                Removes every entry last used (written, or read by a hit) longer ago than --older-than, and \
                files left in the cache by interrupted writes that are as old. Entries in use by a run at the \
                same moment are at worst written again.

                Examples:
                  quire cache prune --older-than 30d --dry-run
                  quire cache prune --older-than 12h --json
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("Remove what was last used longer ago than this span: 30m, 12h, 7d, 2w.", valueName: "span"))
        var olderThan: String

        @Flag(help: "List what would be removed, and remove nothing.")
        var dryRun = false

        @Flag(help: "Print the outcome as JSON on stdout.")
        var json = false

        func validate() throws {
            if TimeSpan.milliseconds(olderThan) == nil {
                throw ValidationError("--older-than '\(olderThan)' is not a span: a whole number and m, h, d or w (30m, 12h, 7d, 2w)")
            }
        }

        func run() async throws {
            let span = TimeSpan.milliseconds(olderThan)!
            let cutoff = Date(timeIntervalSinceNow: -Double(span) / 1000)
            let cache = try CacheCommand.cache(global)
            let inventory = try CacheCommand.inventory(cache, global: global)
            let doomed = inventory.unused(since: cutoff)
            if !dryRun { try CacheCommand.remove(doomed, from: cache, global: global) }
            let removed = CacheInventory(files: doomed)
            let doomedPaths = Set(doomed.map(\.path))
            let left = CacheInventory(files: inventory.files.filter { !doomedPaths.contains($0.path) })
            if json {
                Console.out(JSONText.encode([
                    "path": .string(CacheCommand.relativePath),
                    "dry_run": .bool(dryRun),
                    "cutoff": .string(CacheCommand.timestamp(cutoff)),
                    "removed": .list(doomed.map { .string($0.path) }),
                    "removed_entries": .int(removed.entryCount),
                    "removed_bytes": .int(removed.bytes),
                    "left_entries": .int(left.entryCount),
                    "left_bytes": .int(left.bytes),
                ], pretty: true))
                return
            }
            if dryRun {
                let rows = doomed.map { ["\(CacheCommand.relativePath)\($0.path)", CacheInventory.size($0.bytes), "last used \(CacheCommand.display($0.lastUsed))"] }
                if !rows.isEmpty { Console.out(HistoryFormat.table(rows, right: [1], indent: "  ")) }
            }
            let verb = dryRun ? "would remove" : "removed"
            let others = removed.files.count - removed.entryCount
            Console.out("\(verb) \(CacheInventory.entries(removed.entryCount))\(others > 0 ? " and \(others) other file\(others == 1 ? "" : "s")" : "") (\(CacheInventory.size(removed.bytes))) not used in \(olderThan); \(CacheInventory.entries(left.entryCount)) (\(CacheInventory.size(left.bytes))) left")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear",
            abstract: "Remove every answer from the cache; the next deterministic requests are sent again.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print the outcome as JSON on stdout.")
        var json = false

        func run() async throws {
            let cache = try CacheCommand.cache(global)
            let inventory = try CacheCommand.inventory(cache, global: global)
            try CacheCommand.remove(inventory.files, from: cache, global: global)
            // Gone when empty; a run writing into it meanwhile keeps it (rmdir removes only an empty folder).
            _ = rmdir(cache.folder.path)
            if json {
                Console.out(JSONText.encode([
                    "path": .string(CacheCommand.relativePath),
                    "removed_entries": .int(inventory.entryCount),
                    "removed_bytes": .int(inventory.bytes),
                ], pretty: true))
            } else {
                Console.out("removed \(CacheInventory.entries(inventory.entryCount)) (\(CacheInventory.size(inventory.bytes))) from \(CacheCommand.relativePath)")
            }
        }
    }

    /// The workspace's cache (the workspace is looked for once per command).
    static func cache(_ global: GlobalOptions) throws -> ResponseCache {
        ResponseCache(workspaceRoot: try global.root())
    }

    static func inventory(_ cache: ResponseCache, global: GlobalOptions) throws -> CacheInventory {
        do {
            return try cache.inventory()
        } catch {
            global.report([.error("cache.unreadable", "cannot read \(relativePath): \(error.localizedDescription)")], sources: [:])
            throw ExitCodes.failure
        }
    }

    static func remove(_ files: [CacheFile], from cache: ResponseCache, global: GlobalOptions) throws {
        do {
            try cache.remove(files)
        } catch {
            global.report([.error("cache.remove-failed", "\(error)")], sources: [:])
            throw ExitCodes.failure
        }
    }

    /// `2026-11-22T09:30:15.000Z`.
    static func timestamp(_ date: Date) -> String {
        ISOTimestamp.string(milliseconds: Int((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// `2026-11-22 09:30` (UTC).
    static func display(_ date: Date) -> String {
        String(HistoryFormat.time(timestamp(date)).prefix(16))
    }
}
