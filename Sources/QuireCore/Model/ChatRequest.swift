/// A fully resolved Chat Completions request, before any provider-specific encoding.
///
/// It never holds secrets: keys and headers belong to the provider, so a request can be hashed,
/// recorded and shown as it is.
public struct ChatRequest: Sendable, Hashable {
    public var model: String
    public var messages: [ChatMessage]
    public var parameters: ModelParameters

    public init(model: String, messages: [ChatMessage], parameters: ModelParameters) {
        self.model = model
        self.messages = messages
        self.parameters = parameters
    }

    /// The canonical form used for hashing, recording and replay: model, messages and the parameters
    /// that are set, as JSON with sorted keys. Independent of provider, streaming and headers.
    public var canonicalValue: Value {
        var object: [String: Value] = [
            "model": .string(model),
            "messages": .list(messages.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] }),
        ]
        for field in parameters.bodyFields { object[field.key] = field.value }
        return .object(object)
    }

    public var canonicalJSON: String { JSONText.encode(canonicalValue, pretty: false) }

    /// SHA-256 of ``canonicalJSON``.
    public var hash: String { ContentHash.sha256(canonicalJSON) }
}
