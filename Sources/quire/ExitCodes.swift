import ArgumentParser

/// Exit codes scripts can rely on.
enum ExitCodes {
    /// The run or a regression failed.
    static let failure = ExitCode(1)
    /// Bad invocation or invalid workspace files (`EX_USAGE`).
    static let usage = ExitCode(64)
    /// Interrupted by Ctrl-C.
    static let interrupted = ExitCode(130)
}
