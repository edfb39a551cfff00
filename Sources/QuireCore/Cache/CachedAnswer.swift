/// One entry of the response cache (`.quire/cache/<2 hex>/<sha256>.json`): the provider identity and
/// canonical request it answers, and the answer as the provider gave it.
public struct CachedAnswer: Sendable, Hashable {
    public static let formatVersion = 1

    public var provider: String
    /// ``ChatRequest/canonicalValue`` of the request.
    public var request: Value
    public var content: String
    public var finishReason: String?
    /// The model that answered.
    public var model: String
    /// The usage of the original call, kept for information.
    public var usage: Usage?

    public init(provider: String, request: Value, content: String, finishReason: String?, model: String, usage: Usage?) {
        self.provider = provider
        self.request = request
        self.content = content
        self.finishReason = finishReason
        self.model = model
        self.usage = usage
    }

    public var json: String {
        var response: [String: Value] = [
            "content": .string(content),
            "finish_reason": finishReason.map(Value.string) ?? .null,
            "model": .string(model),
        ]
        if let usage { response["usage"] = usage.value }
        let object: Value = [
            "format_version": .int(Self.formatVersion),
            "provider": .string(provider),
            "request": request,
            "response": .object(response),
        ]
        return JSONText.encode(object, pretty: false) + "\n"
    }

    /// Reads an entry; the error says why it cannot be used.
    public init(json text: String) throws(ManifestError) {
        let value: Value
        do { value = try JSONText.decode(text) } catch { throw ManifestError("not valid JSON") }
        guard let object = value.objectValue, case .int(let version) = object["format_version"] else {
            throw ManifestError("no format_version")
        }
        guard version == Self.formatVersion else { throw ManifestError("format version \(version), expected \(Self.formatVersion)") }
        guard let provider = object["provider"]?.stringValue, let request = object["request"], request.objectValue != nil,
              let response = object["response"]?.objectValue, let content = response["content"]?.stringValue
        else { throw ManifestError("missing 'provider', 'request' or 'response.content'") }
        self.init(
            provider: provider, request: request, content: content, finishReason: response["finish_reason"]?.stringValue,
            model: response["model"]?.stringValue ?? "", usage: response["usage"].map { Usage(value: $0) })
    }
}
