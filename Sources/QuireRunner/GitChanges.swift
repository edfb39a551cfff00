import Foundation
import QuireCore

/// The files that changed in a workspace since a git revision, from `git` itself (a child process).
public enum GitChanges {
    /// Workspace-relative paths changed, added or deleted since `revision` (the working tree, staged or
    /// not, against it), plus untracked files that git does not ignore.
    public static func changedFiles(since revision: String, in root: URL, git: String = "git") -> Result<[String], Diagnostic> {
        let diff = run(git, ["diff", "--name-only", "--relative", revision, "--"], in: root)
        guard diff.status == 0 else {
            let detail = diff.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(.error(
                "test.git-failed", "cannot list the files changed since '\(revision)': `git diff` failed\(detail.isEmpty ? "" : ": \(detail)")",
                suggestion: "--affected needs a git repository and a revision it knows (default HEAD)"))
        }
        let untracked = run(git, ["ls-files", "--others", "--exclude-standard"], in: root)
        let paths = (diff.stdout + "\n" + (untracked.status == 0 ? untracked.stdout : ""))
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        return .success(Array(Set(paths)).sorted())
    }

    static func run(_ git: String, _ arguments: [String], in directory: URL) -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [git, "-c", "core.quotePath=false"] + arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "", "cannot start git: \(error.localizedDescription)") }
        // Read stderr on another thread while stdout is read here, so a full pipe cannot block git.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
