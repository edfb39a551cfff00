import Foundation

/// The `quire` binary running in the background, with its stderr collected as it arrives, so a test
/// can wait for a line and then interrupt or kill it.
final class LiveCLI: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = Data()
    private let reader = DispatchGroup()

    init(_ args: [String], in directory: URL, environment extra: [String: String] = [:]) throws {
        process.executableURL = CLI.binary
        process.arguments = args
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "OPENAI_API_KEY")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        reader.enter()
        DispatchQueue.global().async { [self] in
            let handle = err.fileHandleForReading
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.withLock { collected.append(data) }
            }
            reader.leave()
        }
    }

    var stderr: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    /// Waits (bounded) until stderr matches `pattern`; returns the first capture group, or the match.
    func waitFor(_ pattern: String, timeout: TimeInterval) async throws -> String? {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = stderr
            if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                return Range(range, in: text).map { String(text[$0]) }
            }
            if !process.isRunning { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits (bounded) for the exit; returns the exit status, or nil on timeout.
    func waitForExit(timeout: TimeInterval) async throws -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        reader.wait()
        return process.terminationStatus
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }
}

/// Whether `pid` is a live process (a zombie counts as gone).
func processExists(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        if state == "Z" || state == "X" { return false }
    }
    return true
}

/// Waits (bounded) until `pid` is gone; returns whether it went.
func waitUntilGone(_ pid: Int32, timeout: TimeInterval) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while processExists(pid) {
        if Date() > deadline { return false }
        try await Task.sleep(for: .milliseconds(20))
    }
    return true
}

/// The server PID that `quire` reports when it starts a local model: "local model ready in 0.6 s (pid 123, …)".
let serverPIDPattern = #"local model ready in [0-9.]+ s \(pid ([0-9]+),"#

func serverPID(in stderr: String) -> Int32? {
    guard let regex = try? NSRegularExpression(pattern: serverPIDPattern),
        let match = regex.firstMatch(in: stderr, range: NSRange(stderr.startIndex..., in: stderr)),
        let range = Range(match.range(at: 1), in: stderr)
    else { return nil }
    return Int32(stderr[range])
}
