import Foundation
import QuireRunner
import Testing

/// Both ways of writing a file — a temporary name renamed over the target, and an unnamed file linked in
/// under a new name — leave the same result and nothing else behind.
@Suite("Atomic file writer")
struct AtomicFileWriterTests {
    private func withFolder(_ body: (String) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quire-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try body(root.path)
    }

    private func entries(_ folder: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder).sorted()
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("a fresh file is written whole, with its permissions, and leaves no temporary file", arguments: [false, true])
    func newFile(fresh: Bool) throws {
        try withFolder { folder in
            let text = String(repeating: "line of output\n", count: 5_000)
            try AtomicFileWriter.write(text, toPath: folder + "/out.md", permissions: 0o600, fresh: fresh)
            #expect(try String(contentsOfFile: folder + "/out.md", encoding: .utf8) == text)
            #expect(try mode(folder + "/out.md") == 0o600)
            #expect(try entries(folder) == ["out.md"])
        }
    }

    @Test("a file that already exists is replaced, whichever way it is written", arguments: [false, true])
    func existingFile(fresh: Bool) throws {
        try withFolder { folder in
            try AtomicFileWriter.write("first version, longer than the second\n", toPath: folder + "/out.md")
            try AtomicFileWriter.write("second\n", toPath: folder + "/out.md", fresh: fresh)
            #expect(try String(contentsOfFile: folder + "/out.md", encoding: .utf8) == "second\n")
            #expect(try entries(folder) == ["out.md"])
        }
    }

    @Test("missing folders are made", arguments: [false, true])
    func missingFolder(fresh: Bool) throws {
        try withFolder { folder in
            try AtomicFileWriter.write("x", toPath: folder + "/steps/sections/001.md", fresh: fresh)
            #expect(try String(contentsOfFile: folder + "/steps/sections/001.md", encoding: .utf8) == "x")
            #expect(try entries(folder) == ["steps", "steps/sections", "steps/sections/001.md"])
        }
    }

    @Test("a name taken by a folder fails with an error and leaves nothing behind", arguments: [false, true])
    func nameTakenByFolder(fresh: Bool) throws {
        try withFolder { folder in
            try FileManager.default.createDirectory(atPath: folder + "/out.md", withIntermediateDirectories: false)
            #expect(throws: (any Error).self) { try AtomicFileWriter.write("x", toPath: folder + "/out.md", fresh: fresh) }
            #expect(try entries(folder) == ["out.md"])
        }
    }
}
