/// All versions of one prompt: `prompts/<name>/v1.prompt`, `v2.prompt`, …
public struct PromptFamily: Sendable {
    public var name: String
    /// Versions that parsed; a version with errors is listed in ``paths`` but not here.
    public var versions: [Int: PromptFile]
    /// Every version file found, parsed or not.
    public var paths: [Int: String]

    /// The highest version number present on disk.
    public var latestVersion: Int? { paths.keys.max() }

    public func resolve(_ version: Int?) -> PromptFile? {
        guard let v = version ?? latestVersion else { return nil }
        return versions[v]
    }
}
