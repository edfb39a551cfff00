/// A reference to a prompt from a workflow: `section-writer` (the latest version) or `section-writer@v2` (pinned).
public struct PromptReference: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var version: Int?

    public init(name: String, version: Int? = nil) {
        self.name = name
        self.version = version
    }

    /// Parses `name` or `name@vN`; returns nil (with a reason) when malformed.
    public static func parse(_ text: String) -> Result<PromptReference, InvalidReference> {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard PromptName.isValid(name) else {
            return .failure(InvalidReference(message: "invalid prompt name '\(name)': use lowercase letters, digits, '-', '_' and '/' between folders"))
        }
        guard parts.count == 2 else { return .success(PromptReference(name: name)) }
        let versionText = parts[1]
        guard versionText.hasPrefix("v"), let version = Int(versionText.dropFirst()), version >= 1 else {
            return .failure(InvalidReference(message: "invalid prompt version '\(versionText)': write it as v1, v2, …"))
        }
        return .success(PromptReference(name: name, version: version))
    }

    public struct InvalidReference: Error, Sendable { public var message: String }

    public var description: String { version.map { "\(name)@v\($0)" } ?? name }
}

/// Rules for prompt names: folders under `prompts/`, never escaping it.
public enum PromptName {
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.hasSuffix("/") else { return false }
        for segment in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard let first = segment.unicodeScalars.first, first.properties.isAlphabetic || ("0"..."9").contains(first)
            else { return false }
            guard segment.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." })
            else { return false }
            if segment.contains("..") { return false }
        }
        return true
    }

    /// `v3.prompt` → 3.
    public static func version(ofFileName fileName: String) -> Int? {
        guard fileName.hasPrefix("v"), fileName.hasSuffix(".prompt") else { return nil }
        let digits = fileName.dropFirst().dropLast(".prompt".count)
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let n = Int(digits), n >= 1, !digits.hasPrefix("0") else { return nil }
        return n
    }
}
