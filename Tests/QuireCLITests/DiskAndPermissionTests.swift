import Foundation
import QuireCore
import QuireRunner
import QuireTestSupport
import Testing

/// A full disk or an unwritable run folder: a clear error naming the file and what to do, nothing
/// half-written, and a run that resumes once space or permission is back.
@Suite("Disk and permissions: writes that fail mid-run", .serialized)
struct DiskAndPermissionTests {
    static func answer(_ server: FakeOpenAIServer, big: String? = nil) {
        server.setResponder { request in
            if request.messages.first?.content.contains(RunCommandTests.planMarker) == true {
                return FakeResponse("- One\n- Two\n- Three")
            }
            if let big, request.lastUserMessage.contains("\"Two\"") { return FakeResponse(big) }
            return FakeResponse(FakeReply.defaultReply(to: request.messages))
        }
    }

    static func leftovers(_ folder: URL) -> [String] {
        (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".tmp") }
    }

    /// A disk that fills up, simulated with a file-size limit (`ulimit -f`, which needs no privileges):
    /// a write past it fails with EFBIG, as a full disk fails with ENOSPC. Quire ignores SIGXFSZ so the
    /// write fails with an error instead of the signal killing it mid-run.
    @Test func aWriteThatDoesNotFitFailsNamingTheFileAndTheRunResumes() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        // 300 words of 399 characters: a 120 KB answer within max_tokens 400.
        let big = (1...300).map { _ in String(repeating: "x", count: 399) }.joined(separator: " ")
        Self.answer(server, big: big)
        let dir = try RunCommandTests.workspace(server: server)
        let folder = dir.url.appendingPathComponent("output/d")

        // bash counts ulimit -f in 1024-byte blocks: no file may grow past 64 KiB.
        let limited = try await CLI.run(
            ["-c", "ulimit -f 64 && exec \"$0\" \"$@\"", CLI.binary.path, "run", "publishing-report", "--var", "topic=Disk", "--out", "output/d"],
            in: dir.url, executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(limited.status == 1, "exit \(limited.status): \(limited.stderr)")
        #expect(limited.stderr.contains("cannot write output/d/steps/sections/002.txt: File too large [run.write-failed]"), "\(limited.stderr)")
        #expect(limited.stderr.contains("free disk space or make output/d/ writable, then continue with --resume"), "\(limited.stderr)")
        #expect(limited.stderr.contains("quire run publishing-report --resume"), "\(limited.stderr)")
        // Nothing half-written: the item's files are absent, not cut at 64 KiB; the others are whole.
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("steps/sections/002.raw.txt").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("steps/sections/002.txt").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.md").path))
        #expect(Self.leftovers(folder).isEmpty)
        #expect(try dir.read("output/d/steps/sections/001.txt").hasPrefix("echo: Write the section \"One\""))
        let failed = try RunFolderScan.manifest(folder)
        #expect(failed.status == .failed)
        #expect(failed.steps["plan"]?.status == .succeeded)

        // Space is back: the run resumes, sending only the item that could not be saved.
        let before = server.chatRequestCount
        let resumed = try await CLI.run(["run", "publishing-report", "--resume", "d", "--out", "output/d"], in: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(server.chatRequests.dropFirst(before).map(\.lastUserMessage).count == 1)
        #expect(try dir.read("output/d/steps/sections/002.txt") == big)
        #expect(try dir.read("output/d/report.md").contains(big))
        try RunFolderScan.expectComplete(folder, "after resume")
    }

    /// An unwritable place in the run folder. Tests often run as root, which ignores permissions, so
    /// as root a file stands where the items' folder should be (the write fails as it would on a
    /// read-only folder); otherwise the folder is made read-only with chmod.
    @Test func anUnwritableRunFolderFailsNamingTheFileAndTheRunResumes() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server)
        let dir = try RunCommandTests.workspace(server: server)
        let folder = dir.url.appendingPathComponent("output/ro")
        let blocked = folder.appendingPathComponent("steps/sections")
        let asRoot = getuid() == 0
        if asRoot {
            try FileManager.default.createDirectory(at: blocked.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("not a folder".utf8).write(to: blocked)
        } else {
            try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: blocked.path)
        }
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=ReadOnly", "--out", "output/ro"], in: dir.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot write output/ro/steps/sections/00"), "\(result.stderr)")
        #expect(result.stderr.contains("[run.write-failed]"))
        #expect(result.stderr.contains("make output/ro/ writable, then continue with --resume"), "\(result.stderr)")
        #expect(Self.leftovers(folder).isEmpty)
        #expect(try RunFolderScan.manifest(folder).status == .failed)
        #expect((try? JSONText.decode(try dir.read("output/ro/steps/plan.json")))?.listValue?.count == 3)

        // Permission is back.
        if asRoot {
            try FileManager.default.removeItem(at: blocked)
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: blocked.path)
        }
        let before = server.chatRequestCount
        let resumed = try await CLI.run(["run", "publishing-report", "--resume", "ro", "--out", "output/ro"], in: dir.url)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let again = server.chatRequests.dropFirst(before).map(\.lastUserMessage)
        #expect(again.count == 3, "the three sections, not the plan: \(again)")
        #expect(try dir.read("output/ro/report.md").contains("Three"))
        try RunFolderScan.expectComplete(folder, "after resume")
    }

    /// An output root that cannot hold a run folder at all: the run stops before any model call.
    @Test func anOutputRootThatIsAFileStopsBeforeAnyCall() async throws {
        let server = FakeOpenAIServer()
        try await server.start()
        defer { Task { await server.stop() } }
        Self.answer(server)
        let dir = try RunCommandTests.workspace(server: server)
        try dir.write(["output/blocked": "a file, not a folder"])
        let result = try await CLI.run(["run", "publishing-report", "--var", "topic=T", "--out", "output/blocked/run"], in: dir.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cannot create the run folder output/blocked/run"), "\(result.stderr)")
        #expect(server.chatRequestCount == 0)
    }
}
