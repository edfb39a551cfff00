import Foundation
import Testing
@testable import QuireCore

/// Deliberately wrong workspaces, each with the exact diagnostics `quire validate` must report.
///
/// Each folder under `Fixtures/wrong/` is a workspace plus `expected.txt`. Set
/// `QUIRE_RECORD_FIXTURES=1` to write the actual diagnostics into `expected.txt` (then review them).
@Suite("Wrong workspaces")
struct WrongWorkspaceTests {
    static let folder = repositoryRoot.appendingPathComponent("Tests/QuireCoreTests/Fixtures/wrong")

    static var cases: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()) ?? []
    }

    static func files(in dir: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let relative = String(url.path.dropFirst(dir.path.count + 1))
            if relative == "expected.txt" { continue }
            files[relative] = try Data(contentsOf: url)
        }
        return files
    }

    static func diagnostics(for files: [String: Data]) -> String {
        let workspace = WorkspaceLoader(fileSystem: InMemoryFileSystem(files: files)).load()
        let result = WorkspaceValidator(workspace: workspace).validate()
        return result.diagnostics.map(\.description).joined(separator: "\n")
    }

    @Test func thereAreAtLeastFortyCases() {
        #expect(Self.cases.count + GeneratedWrongInputs.all.count >= 40)
    }

    @Test(arguments: cases)
    func reportsExactlyTheExpectedDiagnostics(_ name: String) throws {
        let dir = Self.folder.appendingPathComponent(name)
        let actual = Self.diagnostics(for: try Self.files(in: dir))
        let expectedURL = dir.appendingPathComponent("expected.txt")
        if ProcessInfo.processInfo.environment["QUIRE_RECORD_FIXTURES"] == "1" {
            try (actual + "\n").write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? "(missing expected.txt)"
        #expect(!actual.isEmpty, "\(name): a wrong workspace must produce diagnostics")
        #expect(actual.contains("error:"), "\(name): must produce at least one error")
        #expect(actual == expected.trimmingCharacters(in: .newlines), "\(name): diagnostics differ; record with QUIRE_RECORD_FIXTURES=1 and review")
    }

    @Test(arguments: GeneratedWrongInputs.all.map(\.name))
    func generatedInputsFailCleanly(_ name: String) throws {
        let input = try #require(GeneratedWrongInputs.all.first { $0.name == name })
        let start = ContinuousClock.now
        let actual = Self.diagnostics(for: input.files())
        #expect(ContinuousClock.now - start < .seconds(10), "\(name) took too long: a hang or a blow-up")
        #expect(actual == input.expected, "\(name)")
    }
}

/// Wrong inputs that are better generated than committed: binary, invalid UTF-8, huge files.
struct GeneratedWrongInputs: Sendable {
    var name: String
    var files: @Sendable () -> [String: Data]
    var expected: String

    static let workflow = "steps:\n  - id: a\n    prompt: p\n"

    static let all: [GeneratedWrongInputs] = [
        GeneratedWrongInputs(
            name: "binary-workflow",
            files: { ["workflows/w.yaml": Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00])] },
            expected: "workflows/w.yaml:1:1: error: file is not valid UTF-8 (byte 0x89) [file.invalid-utf8]"),
        GeneratedWrongInputs(
            name: "nul-in-prompt",
            files: { ["workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data("Hello\n\u{0}world".utf8)] },
            expected: "prompts/p/v1.prompt:2:1: error: file contains a NUL byte; is it a binary file? [file.binary]"),
        GeneratedWrongInputs(
            name: "invalid-utf8-prompt",
            files: { ["workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data([0x48, 0x69, 0x20, 0xFF, 0x0A])] },
            expected: "prompts/p/v1.prompt:1:4: error: file is not valid UTF-8 (byte 0xFF) [file.invalid-utf8]"),
        GeneratedWrongInputs(
            name: "huge-workflow-over-10-MB",
            files: {
                var text = "description: big\nsteps:\n"
                let line = "  # " + String(repeating: "x", count: 1020) + "\n"
                text.reserveCapacity(11 * 1_048_576)
                while text.utf8.count < 10 * 1_048_576 + 10 { text += line }
                return ["workflows/w.yaml": Data(text.utf8)]
            },
            expected: "workflows/w.yaml:1:1: error: file is 10.0 MiB; the limit is 4 MiB [file.too-large]"),
        GeneratedWrongInputs(
            name: "empty-workflow",
            files: { ["workflows/w.yaml": Data()] },
            expected: "workflows/w.yaml:1:1: error: workflow file is empty [workflow.empty]"),
        GeneratedWrongInputs(
            name: "deep-flow-nesting",
            files: { ["workflows/w.yaml": Data(("steps: " + String(repeating: "[", count: 100_000)).utf8)] },
            expected: "workflows/w.yaml:1:108: error: collections are nested deeper than 100 levels [yaml.too-deep]"),
        GeneratedWrongInputs(
            name: "deep-block-nesting",
            files: {
                var text = ""
                for depth in 0..<300 { text += String(repeating: " ", count: depth * 2) + "k\(depth):\n" }
                return ["workflows/w.yaml": Data(text.utf8)]
            },
            expected: "workflows/w.yaml:101:201: error: document is nested deeper than 100 levels [yaml.too-deep]"),
        GeneratedWrongInputs(
            name: "alias-bomb",
            files: {
                var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                for i in 1..<10 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n" }
                text += "steps: *a9\n"
                return ["workflows/w.yaml": Data(text.utf8)]
            },
            expected: "workflows/w.yaml:1:20: error: document expands to more than 200000 nodes (are aliases expanding recursively?) [yaml.too-large]"),
    ]
}
