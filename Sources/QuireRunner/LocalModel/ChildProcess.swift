import Foundation

#if canImport(Glibc)
import Glibc
private typealias FileActions = posix_spawn_file_actions_t
private typealias SpawnAttributes = posix_spawnattr_t
#elseif canImport(Darwin)
import Darwin
private typealias FileActions = posix_spawn_file_actions_t?
private typealias SpawnAttributes = posix_spawnattr_t?
#endif

/// A child process started with `posix_spawn`, with its stdout on a pipe Quire reads and its stderr
/// appended to a log file. Process spawning is an effect, so it lives here, not in the core.
///
/// - The child's stdin is a pipe whose only write end Quire holds: when Quire exits, however it
///   exits, the child sees end-of-file (and the server script exits). ``detach()`` sends a line that
///   tells the script to stop watching, for a server that is meant to outlive Quire.
/// - In the foreground (`detached: false`) the child gets its own process group (so Ctrl-C on the
///   terminal reaches Quire, which stops the child in order, and so the whole group can be killed).
///   Detached, the child starts its own session itself.
struct ChildProcess: Sendable {
    let pid: pid_t
    /// The read end of the child's stdout (non-blocking).
    let stdoutFD: Int32
    /// The write end of the child's stdin; closing it tells the child to exit (unless detached).
    let stdinFD: Int32

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    static func spawn(executable: String, arguments: [String], environment: [String: String], logPath: String, detached: Bool) throws -> ChildProcess {
        var output: [Int32] = [-1, -1]
        var input: [Int32] = [-1, -1]
        guard pipe(&output) == 0 else { throw SpawnError(description: "pipe() failed: \(String(cString: strerror(errno)))") }
        guard pipe(&input) == 0 else {
            close(output[0]); close(output[1])
            throw SpawnError(description: "pipe() failed: \(String(cString: strerror(errno)))")
        }
        // Quire's ends must not leak into other children; the child's ends are dup2'ed onto 0 and 1,
        // which clears the flag on the copies.
        for fd in output + input where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = FileActions()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var attributes = SpawnAttributes()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if !detached { flags |= Int32(POSIX_SPAWN_SETPGROUP) }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        // Quire ignores SIGINT while it handles Ctrl-C itself; ignored signals survive exec, so reset them.
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&signals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &signals)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        var status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // ETXTBSY: another thread's child still holds the executable open for writing, briefly
        // (a file written just before, inherited across a concurrent fork). Try again shortly.
        for _ in 0..<10 where status == ETXTBSY {
            usleep(20_000)
            status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        }
        close(output[1])
        close(input[0])
        guard status == 0 else {
            close(output[0])
            close(input[1])
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        _ = fcntl(output[0], F_SETFL, fcntl(output[0], F_GETFL) | O_NONBLOCK)
        return ChildProcess(pid: pid, stdoutFD: output[0], stdinFD: input[1])
    }

    /// Reads what is available on stdout without blocking: `nil` at end-of-file, empty when nothing is there yet.
    func readAvailable() -> Data? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(stdoutFD, &buffer, buffer.count)
        if count > 0 { return Data(buffer[0..<count]) }
        if count == 0 { return nil }
        return errno == EAGAIN || errno == EINTR ? Data() : nil
    }

    /// Closes Quire's ends of the pipes. Unless detached, this alone makes the server script exit.
    func closePipes() {
        close(stdoutFD)
        close(stdinFD)
    }

    /// Tells the server script to keep running without Quire, then closes the pipes.
    func detach() {
        let line = Array("detach\n".utf8)
        // Should the child have died meanwhile, the write fails with EPIPE instead of killing Quire.
        let previous = signal(SIGPIPE, SIG_IGN)
        _ = line.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
        signal(SIGPIPE, previous)
        closePipes()
    }

    /// Reaps the child if it has exited: its wait status, or nil while it runs.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid ? status : nil
    }

    /// A wait status as words: "exit status 3", "signal 9".
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "signal \(signal)"
    }
}

/// PIDs and process groups: liveness checks and termination, also for servers started by another
/// Quire process (recorded in `.quire/`).
enum ProcessControl {
    /// Whether `pid` names a live (not zombie) process.
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
        }
        #endif
        return true
    }

    /// Whether the process's command line carries `marker` (Linux: `/proc/<pid>/cmdline`). Where
    /// that cannot be read, only liveness is known and this answers true.
    static func commandLineContains(_ pid: Int32, _ marker: String) -> Bool {
        #if os(Linux)
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == marker }
        #else
        return true
        #endif
    }

    /// Sends `signal` to the process group led by `pid`, and to `pid` itself in case it leads none.
    static func signalGroup(_ pid: Int32, _ signal: Int32) {
        guard pid > 0 else { return }
        _ = kill(-pid, signal)
        _ = kill(pid, signal)
    }
}
