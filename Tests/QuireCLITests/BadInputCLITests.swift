import Foundation
import QuireCore
import Testing

/// Bad input that only the command line sees: `--out`, `--var`, `--vars-file` and symbolic links that
/// leave the workspace. Each runs the real binary in a workspace nested in a scratch folder, checks
/// the exit status and the located error, measures the time, and compares the scratch folder before
/// and after so a write outside the workspace cannot go unnoticed.
@Suite("CLI: bad input")
struct BadInputCLITests {
    /// `outer/ws` is the workspace; `outer/outside` is a folder next to it that nothing may touch.
    final class Sandbox {
        let outer: TemporaryDirectory
        var workspace: URL { outer.url.appendingPathComponent("ws") }
        var outside: URL { outer.url.appendingPathComponent("outside") }

        init(extra: [String: String] = [:]) throws {
            outer = try TemporaryDirectory()
            var files = [
                "ws/workflows/page.yaml": """
                    inputs:
                      topic: {type: string}
                    steps:
                      - id: page
                        template: page@v1
                        output: page.md
                    """,
                "ws/prompts/page/v1.prompt": "Topic: {{ topic }}\n",
                "outside/secret.prompt": "user:\nSECRET-OUTSIDE-THE-WORKSPACE {{ topic }}\n",
            ]
            for (path, text) in extra { files["ws/" + path] = text }
            try outer.write(files)
        }

        func link(_ path: String, to destination: URL) throws {
            let url = workspace.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: url, withDestinationURL: destination)
        }

        /// Every path under the scratch folder except the workspace's own `output/`, with its size.
        func snapshot() -> [String: Int] {
            var entries: [String: Int] = [:]
            let root = outer.url.resolvingSymlinksInPath().path
            let enumerator = FileManager.default.enumerator(atPath: root)
            while let path = enumerator?.nextObject() as? String {
                if path.hasPrefix("ws/output/") { continue }
                let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + path)
                entries[path] = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            }
            return entries
        }

        /// Runs quire in the workspace; returns the result and the seconds it took.
        func run(_ args: [String]) async throws -> (CLI.Result, Double) {
            let start = ContinuousClock.now
            let result = try await CLI.run(args, in: workspace, timeout: 60)
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("quire \(args.map { $0.count > 40 ? "\($0.prefix(40))…" : $0 }.joined(separator: " ")): \(result.status) in \(String(format: "%.3f", seconds)) s")
            return (result, seconds)
        }
    }

    static let escapingOuts = [
        "../escape",
        "../outside/run",
        "output/../../escape",
        "output/../..",
        "/tmp/quire-absolute-out",
        "linked-outside/run",
        "linked-outside",
    ]

    @Test(arguments: escapingOuts)
    func outThatLeavesTheWorkspaceIsRefused(_ out: String) async throws {
        let sandbox = try Sandbox()
        try sandbox.link("linked-outside", to: sandbox.outside)
        let before = sandbox.snapshot()
        let (result, seconds) = try await sandbox.run(["run", "page", "--var", "topic=x", "--out", out])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: invalid run folder '\(out)': "), "\(result.stderr)")
        #expect(result.stderr.contains("[run.invalid-out]"))
        #expect(seconds < 10)
        #expect(sandbox.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/quire-absolute-out"))
    }

    @Test func anOutputFolderThatIsALinkOutsideIsRefused() async throws {
        let sandbox = try Sandbox()
        try sandbox.link("output", to: sandbox.outside)
        let before = sandbox.snapshot()
        let (result, seconds) = try await sandbox.run(["run", "page", "--var", "topic=x"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("[run.invalid-out]"), "\(result.stderr)")
        #expect(result.stderr.contains("outside the workspace"), "\(result.stderr)")
        #expect(seconds < 10)
        #expect(sandbox.snapshot() == before)
    }

    @Test func promptFilesLinkedFromOutsideAreNotRead() async throws {
        let sandbox = try Sandbox(extra: [
            "workflows/leak.yaml": "inputs:\n  topic: {type: string}\nsteps:\n  - id: leak\n    prompt: secret@v1\n"
        ])
        try sandbox.link("prompts/secret/v1.prompt", to: sandbox.outside.appendingPathComponent("secret.prompt"))
        try sandbox.link("prompts/partials", to: sandbox.outside)
        let before = sandbox.snapshot()
        let (result, seconds) = try await sandbox.run(["validate"])
        #expect(result.status == 64, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("workflows/leak.yaml:5:13: error: unknown prompt 'secret' [workflow.unknown-prompt]"), "\(result.stdout)\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains("SECRET-OUTSIDE"))
        #expect(seconds < 10)
        let (render, _) = try await sandbox.run(["render", "leak", "--var", "topic=x"])
        #expect(render.status == 64)
        #expect(!(render.stdout + render.stderr).contains("SECRET-OUTSIDE"))
        #expect(sandbox.snapshot() == before)
    }

    @Test func templateSyntaxInAVarIsInertInARun() async throws {
        let sandbox = try Sandbox()
        let value = "{{ topic }} {% include \"../outside/secret.prompt\" %} {# x #} {% for a in b %}"
        let (result, seconds) = try await sandbox.run(["run", "page", "--var", "topic=\(value)", "--out", "output/r"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: sandbox.workspace.appendingPathComponent("output/r/page.md"), encoding: .utf8) == "Topic: \(value)\n")
        #expect(seconds < 10)
    }

    @Test func malformedVarsAreUsageErrors() async throws {
        let sandbox = try Sandbox()
        let before = sandbox.snapshot()
        for (args, message) in [
            (["--var", "topic"], "error: --var expects name=value, got 'topic' [run.invalid-var]"),
            (["--var", "=x"], "error: --var expects name=value, got '=x' [run.invalid-var]"),
            (["--var", "topic=x", "--var", "tpoic=y"], "error: workflow 'page' has no input 'tpoic' [run.unknown-input]"),
        ] {
            let (result, seconds) = try await sandbox.run(["run", "page"] + args)
            #expect(result.status == 64, "\(args): \(result.stderr)")
            #expect(result.stderr.hasPrefix(message), "\(args): \(result.stderr)")
            #expect(seconds < 10)
        }
        #expect(sandbox.snapshot() == before)
    }

    /// One argument may be at most 128 KiB on Linux (MAX_ARG_STRLEN), so a value near that limit
    /// goes through `--var`, and a 50 MB value through `--vars-file`.
    @Test func aLargeVarIsRenderedWhole() async throws {
        let sandbox = try Sandbox()
        let value = String(repeating: "0123456789abcdef", count: 7_000)
        let (result, seconds) = try await sandbox.run(["run", "page", "--var", "topic=\(value)", "--out", "output/big"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: sandbox.workspace.appendingPathComponent("output/big/page.md"), encoding: .utf8) == "Topic: \(value)\n")
        #expect(seconds < 10)
    }

    @Test func anEnormousVarsFileValueIsAClearError() async throws {
        let sandbox = try Sandbox()
        let value = String(repeating: "x", count: 50_000_000)
        try "topic: \(value)\n".write(to: sandbox.outer.url.appendingPathComponent("vars.yaml"), atomically: false, encoding: .utf8)
        let before = sandbox.snapshot()
        let (result, seconds) = try await sandbox.run(["run", "page", "--vars-file", "../vars.yaml", "--out", "output/huge"])
        #expect(result.status == 64, "\(result.stderr.prefix(500))")
        #expect(result.stderr.count < 2_000, "the error must not echo the value")
        #expect(seconds < 10)
        #expect(sandbox.snapshot() == before)
    }
}
