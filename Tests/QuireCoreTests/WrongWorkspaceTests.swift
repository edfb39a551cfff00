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

    @Test func thereAreAtLeastAHundredCases() {
        #expect(Self.cases.count + GeneratedWrongInputs.all.count >= 100)
    }

    @Test(arguments: cases)
    func reportsExactlyTheExpectedDiagnostics(_ name: String) throws {
        let dir = Self.folder.appendingPathComponent(name)
        let files = try Self.files(in: dir)
        let (actual, seconds) = cpuTime { Self.diagnostics(for: files) }
        print("wrong/\(name): \(String(format: "%.3f", seconds)) s CPU")
        #expect(seconds < 1, "\(name) took \(seconds) s of CPU time: a hang or a blow-up")
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
        let files = input.files()
        let (actual, seconds) = cpuTime { Self.diagnostics(for: files) }
        print("generated/\(name): \(String(format: "%.3f", seconds)) s CPU")
        // Under a second in a release build; debug builds of the YAML and template code are slower.
        #expect(seconds < 5, "\(name) took \(seconds) s of CPU time: a hang or a blow-up")
        #expect(actual == input.expected, "\(name)")
    }
}

/// Runs `body` and returns its result with the CPU time this thread spent on it: unlike the wall
/// clock, it does not grow when the machine is busy with other work.
func cpuTime<T>(_ body: () -> T) -> (T, Double) {
    func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
    let start = now()
    let result = body()
    return (result, now() - start)
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
        GeneratedWrongInputs(
            name: "alias-bomb-in-front-matter",
            files: {
                var text = "---\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                for i in 1..<10 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n" }
                text += "tags: *a9\n---\nuser:\nHi\n"
                return ["workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data(text.utf8)]
            },
            expected: "prompts/p/v1.prompt:2:20: error: document expands to more than 200000 nodes (are aliases expanding recursively?) [yaml.too-large]"),
        GeneratedWrongInputs(
            name: "alias-bomb-in-config",
            files: {
                var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                for i in 1..<10 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]\n" }
                text += "prices: *a9\n"
                return ["quire.yaml": Data(text.utf8), "workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data("Hi".utf8)]
            },
            expected: "quire.yaml:1:20: error: document expands to more than 200000 nodes (are aliases expanding recursively?) [yaml.too-large]"),
        GeneratedWrongInputs(
            name: "deep-nesting-in-front-matter",
            files: {
                let text = "---\ntags: " + String(repeating: "{a: ", count: 5_000) + "\n---\nuser:\nHi\n"
                return ["workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data(text.utf8)]
            },
            expected: "prompts/p/v1.prompt:2:407: error: collections are nested deeper than 100 levels [yaml.too-deep]"),
        GeneratedWrongInputs(
            name: "deep-block-nesting-in-template",
            files: {
                let text = String(repeating: "{% if x %}", count: 20_000) + String(repeating: "{% endif %}", count: 20_000)
                return ["workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data(text.utf8)]
            },
            expected: "prompts/p/v1.prompt:1:2001: error: blocks nested more than 200 levels deep [template.too-deep]"),
        GeneratedWrongInputs(
            name: "deep-expression-nesting-in-template",
            files: {
                let text = "{{ " + String(repeating: "[", count: 50_000) + " }}"
                return ["workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data(text.utf8)]
            },
            expected: "prompts/p/v1.prompt:1:104: error: expression nested more than 100 levels deep [template.too-deep]"),
        GeneratedWrongInputs(
            name: "huge-prompt-over-4-MiB",
            files: {
                let text = String(repeating: "All work and no play. {{ x }}\n", count: 160_000)
                return ["workflows/w.yaml": Data(workflow.utf8), "prompts/p/v1.prompt": Data(text.utf8)]
            },
            expected: "prompts/p/v1.prompt:1:1: error: file is 4.6 MiB; the limit is 4 MiB [file.too-large]"),
        GeneratedWrongInputs(
            name: "huge-single-line-workflow",
            files: { ["workflows/w.yaml": Data(("description: " + String(repeating: "y", count: 3_000_000) + "\nsteps: 5\n").utf8)] },
            expected: "workflows/w.yaml:2:8: error: 'steps' must be a list of steps, got integer [workflow.type-mismatch]"),
        GeneratedWrongInputs(
            name: "a-thousand-steps",
            files: {
                var text = "steps:\n  - {id: s0, prompt: p, needs: [nowhere]}\n"
                for i in 1..<1_000 { text += "  - {id: s\(i), prompt: p, needs: [s\(i - 1)]}\n" }
                return ["workflows/w.yaml": Data(text.utf8), "prompts/p/v1.prompt": Data("Hi".utf8)]
            },
            expected: "workflows/w.yaml:2:33: error: step 's0' needs unknown step 'nowhere' [workflow.unknown-step]"),
        GeneratedWrongInputs(
            name: "nul-in-workflow",
            files: { ["workflows/w.yaml": Data("steps:\n  - id: a\u{0}\n    prompt: p\n".utf8)] },
            expected: "workflows/w.yaml:2:10: error: file contains a NUL byte; is it a binary file? [file.binary]"),
        GeneratedWrongInputs(
            name: "binary-config",
            files: { ["quire.yaml": Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]), "workflows/w.yaml": Data(workflow.utf8)] },
            expected: """
                quire.yaml:1:8: error: file contains a NUL byte; is it a binary file? [file.binary]
                workflows/w.yaml:3:13: error: unknown prompt 'p' [workflow.unknown-prompt]
                """),
        GeneratedWrongInputs(
            name: "invalid-utf8-partial",
            files: {
                [
                    "workflows/w.yaml": Data(workflow.utf8),
                    "prompts/p/v1.prompt": Data("{% include \"partials/x.md\" %}".utf8),
                    "prompts/partials/x.md": Data([0x6F, 0x6B, 0x0A, 0xC3, 0x28]),
                ]
            },
            expected: "prompts/partials/x.md:2:1: error: file is not valid UTF-8 (byte 0xC3) [file.invalid-utf8]"),
        GeneratedWrongInputs(
            name: "overlong-utf8-and-surrogate-in-workflow",
            files: { ["workflows/w.yaml": Data([0x73, 0x3A, 0x20, 0xC0, 0xAF, 0x0A, 0xED, 0xA0, 0x80])] },
            expected: "workflows/w.yaml:1:4: error: file is not valid UTF-8 (byte 0xC0) [file.invalid-utf8]"),
        GeneratedWrongInputs(
            name: "control-characters-in-workflow",
            files: { ["workflows/w.yaml": Data("steps:\n  - id: a\u{7}\u{1B}[31m\n    prompt: p\n".utf8)] },
            expected: "workflows/w.yaml:2:10: error: control characters are not allowed [yaml.syntax]"),
    ]
}
