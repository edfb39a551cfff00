import Foundation

/// Facts about where output goes: colour, terminal or not, and the environment's wishes (`NO_COLOR`).
struct Terminal: Sendable {
    var colorOnStdout: Bool
    var colorOnStderr: Bool
    var stderrIsTerminal: Bool
    var stdoutIsTerminal: Bool

    init(choice: ColorChoice, environment: [String: String] = ProcessInfo.processInfo.environment) {
        stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        stderrIsTerminal = isatty(STDERR_FILENO) == 1
        let dumb = environment["TERM"] == "dumb"
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        switch choice {
        case .always:
            colorOnStdout = true
            colorOnStderr = true
        case .never:
            colorOnStdout = false
            colorOnStderr = false
        case .auto:
            colorOnStdout = stdoutIsTerminal && !dumb && !noColor
            colorOnStderr = stderrIsTerminal && !dumb && !noColor
        }
    }
}

enum ColorChoice: String, CaseIterable, Sendable {
    case auto, always, never
}

/// Plain output helpers: stdout for results, stderr for diagnostics and progress.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
