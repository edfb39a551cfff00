import Foundation
import QuireCore

/// What to start: the interpreter of the local-model install, a GGUF file, and how to serve it.
public struct LocalServerLaunch: Sendable, Hashable {
    /// The provider row this server is for (`local`, or another row with `kind: local`).
    public var provider: String
    public var python: URL
    public var modelPath: URL
    /// The name the server answers to (llama.cpp's model alias), e.g. `smollm2-135m-instruct`.
    public var model: String
    public var threads: Int
    /// Context size in tokens, shared by the server's slots.
    public var contextSize: Int
    /// Requests the server works on at once. One keeps answers independent of what else is running.
    public var parallel: Int

    /// One slot: requests are answered one after another, so an answer never depends on what else runs.
    public static let defaultParallel = 1

    public init(provider: String, python: URL, modelPath: URL, model: String, threads: Int, contextSize: Int = 4096, parallel: Int = defaultParallel) {
        self.provider = provider
        self.python = python
        self.modelPath = modelPath
        self.model = model
        self.threads = threads
        self.contextSize = contextSize
        self.parallel = parallel
    }

    /// The arguments after `python3`.
    func arguments(detached: Bool, healthTimeout: Int) -> [String] {
        var arguments = [
            "-I", "-c", LocalServerScript.source, LocalServerScript.marker, "--model", modelPath.path, "--alias", model,
            "--host", "127.0.0.1", "--port", "0", "--threads", String(threads), "--context", String(contextSize),
            "--parallel", String(parallel), "--health-timeout", String(healthTimeout),
        ]
        if detached { arguments.append("--detach") }
        return arguments
    }
}

/// A llama.cpp server that Quire started: where it listens and what it serves. Long-lived ones
/// (from `quire local start`) are recorded in `.quire/local-server-<provider>.json`.
public struct LocalServer: Sendable, Hashable {
    public var provider: String
    public var pid: Int32
    /// `http://127.0.0.1:<port>/v1`.
    public var baseURL: String
    public var port: Int
    public var model: String
    public var modelPath: String
    public var logPath: String
    public var startedAt: String
    /// Started by `quire local start` and left running, as opposed to one started for a single command.
    public var detached: Bool

    public init(provider: String, pid: Int32, baseURL: String, port: Int, model: String, modelPath: String, logPath: String, startedAt: String, detached: Bool) {
        self.provider = provider
        self.pid = pid
        self.baseURL = baseURL
        self.port = port
        self.model = model
        self.modelPath = modelPath
        self.logPath = logPath
        self.startedAt = startedAt
        self.detached = detached
    }

    var value: Value {
        [
            "provider": .string(provider), "pid": .int(Int(pid)), "base_url": .string(baseURL), "port": .int(port),
            "model": .string(model), "model_path": .string(modelPath), "log": .string(logPath), "started_at": .string(startedAt),
        ]
    }

    init?(value: Value) {
        guard let object = value.objectValue,
            case .int(let pid)? = object["pid"], case .int(let port)? = object["port"],
            let provider = object["provider"]?.stringValue, let baseURL = object["base_url"]?.stringValue,
            let model = object["model"]?.stringValue, let modelPath = object["model_path"]?.stringValue
        else { return nil }
        self.init(
            provider: provider, pid: Int32(clamping: pid), baseURL: baseURL, port: port, model: model, modelPath: modelPath,
            logPath: object["log"]?.stringValue ?? "", startedAt: object["started_at"]?.stringValue ?? "", detached: true)
    }

    /// The state file's JSON (sorted keys).
    public var json: String { JSONText.encode(value, pretty: true) + "\n" }
}
