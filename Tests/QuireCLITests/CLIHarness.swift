import Foundation
import QuireCore

/// Runs the built `quire` binary as a user would, with colour off and a pinned terminal width.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        // The test bundle lives in the same build folder as the executable.
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("quire")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/quire")
    }

    /// Runs `quire args…` in `directory`, with a bounded wait, on a thread of its own: waiting for the
    /// process never holds one of the (two, on a two-core machine) threads of the cooperative pool that
    /// every async test shares — a test blocking them delays the timers and network callbacks of all
    /// the suites running beside it. `executable` runs something else (a shell that sets limits, then
    /// execs quire) with `args`.
    @discardableResult
    static func run(
        _ args: [String], in directory: URL, environment extra: [String: String] = [:], timeout: TimeInterval = 60,
        executable: URL? = nil
    ) async throws -> Result {
        try await detached { try runBlocking(args, in: directory, environment: extra, timeout: timeout, executable: executable) }
    }

    /// ``run(_:in:environment:timeout:executable:)`` on the calling thread; only for threads that may block.
    static func runBlocking(
        _ args: [String], in directory: URL, environment extra: [String: String] = [:], timeout: TimeInterval = 60,
        executable: URL? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = args
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["COLUMNS"] = "100"
        environment.removeValue(forKey: "OPENAI_API_KEY")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so a full pipe cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw TimedOut(args: args)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    struct TimedOut: Error { var args: [String] }


}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A temporary folder removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("quire-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ files: [String: String]) throws {
        for (path, text) in files {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(path), encoding: .utf8)
    }
}

extension CLI.Result: @unchecked Sendable {}

/// Runs blocking work (waiting for processes, polling files) on a new thread, off the cooperative pool.
func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
