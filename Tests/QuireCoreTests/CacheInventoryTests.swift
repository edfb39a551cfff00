import Foundation
import QuireCore
import Testing

/// What `quire cache info` reports and `quire cache prune` picks, and the spans both it and `quire
/// stats --since` take.
@Suite("Cache inventory and time spans")
struct CacheInventoryTests {
    @Test(arguments: [("30m", 1_800_000), ("12h", 43_200_000), ("7d", 604_800_000), ("2w", 1_209_600_000), ("0d", 0)])
    func spans(text: String, milliseconds: Int) {
        #expect(TimeSpan.milliseconds(text) == milliseconds)
    }

    @Test(arguments: ["", "d", "7", "7x", "7D", "-1d", "+1d", "1.5h", " 7d", "7 d", "٣d", "99999999999999999999d", "9999999999999999w"])
    func notSpans(text: String) {
        #expect(TimeSpan.milliseconds(text) == nil, "'\(text)'")
    }

    static let now = Date(timeIntervalSince1970: 1_796_000_000)
    static let key = String(repeating: "ab", count: 32)

    static func file(_ name: String, daysAgo: Double, bytes: Int = 100) -> CacheFile {
        CacheFile(path: "\(name.prefix(2))/\(name)", bytes: bytes, lastUsed: now.addingTimeInterval(-daysAgo * 86_400), isEntry: CacheFile.isEntryName(name))
    }

    @Test func entryNamesAreTheKeyAndJson() {
        #expect(CacheFile.isEntryName(Self.key + ".json"))
        #expect(!CacheFile.isEntryName(Self.key.uppercased() + ".json"))
        #expect(!CacheFile.isEntryName(String(Self.key.dropLast()) + ".json"))
        #expect(!CacheFile.isEntryName(Self.key + ".json.tmp"))
        #expect(!CacheFile.isEntryName(".\(Self.key).json.4242-1.tmp"))
        #expect(!CacheFile.isEntryName(String(Self.key.dropLast()) + "g.json"))
    }

    @Test func shardNamesAreTwoLowercaseHexDigits() {
        #expect(CacheFile.isShardName("ab") && CacheFile.isShardName("09"))
        #expect(!CacheFile.isShardName("AB") && !CacheFile.isShardName("abc") && !CacheFile.isShardName("g1") && !CacheFile.isShardName(""))
    }

    @Test func leftoverNamesAreTheAtomicWritersTemporaryNames() {
        #expect(CacheFile.isLeftoverName(".\(Self.key).json.4242-1.tmp"))
        #expect(CacheFile.isLeftoverName(".\(Self.key).json.1-12345.tmp"))
        #expect(!CacheFile.isLeftoverName("\(Self.key).json.4242-1.tmp"), "no leading dot")
        #expect(!CacheFile.isLeftoverName(".\(Self.key).json.tmp"))
        #expect(!CacheFile.isLeftoverName(".\(Self.key).json.4242.tmp"))
        #expect(!CacheFile.isLeftoverName(".\(Self.key).json.42-x.tmp"))
        #expect(!CacheFile.isLeftoverName(".\(Self.key).json.-1.tmp"))
        #expect(!CacheFile.isLeftoverName(".notes.json.1-1.tmp"))
        #expect(!CacheFile.isLeftoverName(".DS_Store"))
    }

    @Test func pruningTakesWhatWasLastUsedBeforeTheCutoff() {
        let old = Self.file(Self.key + ".json", daysAgo: 40, bytes: 1200)
        let recent = Self.file(String(repeating: "cd", count: 32) + ".json", daysAgo: 2, bytes: 800)
        let exactlyAtCutoff = Self.file(String(repeating: "ef", count: 32) + ".json", daysAgo: 30, bytes: 10)
        let leftover = Self.file(".\(Self.key).json.99-1.tmp", daysAgo: 31, bytes: 5)
        let inventory = CacheInventory(files: [recent, old, exactlyAtCutoff, leftover])
        #expect(inventory.entryCount == 3)
        #expect(inventory.bytes == 2015)
        #expect(inventory.oldestUse == old.lastUsed)
        #expect(inventory.newestUse == recent.lastUsed)

        let cutoff = Self.now.addingTimeInterval(-30 * 86_400)
        #expect(inventory.unused(since: cutoff) == [leftover, old].sorted { $0.path < $1.path })
        #expect(inventory.unused(since: Self.now.addingTimeInterval(-50 * 86_400)).isEmpty)
        #expect(inventory.unused(since: Self.now).count == 4)
    }

    @Test func anEmptyCache() {
        let empty = CacheInventory(files: [])
        #expect(empty.entryCount == 0 && empty.bytes == 0)
        #expect(empty.oldestUse == nil && empty.newestUse == nil)
        #expect(empty.unused(since: Self.now).isEmpty)
    }

    @Test(arguments: [
        (0, "0 bytes"), (1, "1 byte"), (999, "999 bytes"), (1000, "1.0 KB"), (12_117, "12.1 KB"),
        (999_949, "999.9 KB"), (999_950, "1.0 MB"), (1_500_000, "1.5 MB"), (2_000_000_000, "2.0 GB"),
    ])
    func sizes(bytes: Int, text: String) {
        #expect(CacheInventory.size(bytes) == text)
    }

    @Test func entryCounts() {
        #expect(CacheInventory.entries(0) == "0 entries")
        #expect(CacheInventory.entries(1) == "1 entry")
        #expect(CacheInventory.entries(2) == "2 entries")
    }
}
