import QuireCore

/// Builds the JSON body of a `POST /chat/completions` request.
public enum ChatRequestBody {
    /// The canonical request fields (model, messages, every parameter that is set), plus `stream`, and
    /// for a stream `stream_options: {include_usage: true}` when the backend understands it.
    ///
    /// `max_tokens` is renamed to ``ProviderCapabilities/outputLimitParameter``. Nothing that is set is
    /// dropped here, even a parameter the backend does not support: refusing those before a request is
    /// sent is the runner's job (``ProviderCapabilities/unsupported(_:)``).
    public static func value(for request: ChatRequest, capabilities: ProviderCapabilities, stream: Bool) -> Value {
        guard case .object(var object) = request.canonicalValue else { return request.canonicalValue }
        let limitName = capabilities.outputLimitParameter
        if limitName != "max_tokens", let limit = object.removeValue(forKey: "max_tokens") {
            object[limitName] = limit
        }
        object["stream"] = .bool(stream)
        if stream && capabilities.streamUsage {
            object["stream_options"] = ["include_usage": true]
        }
        return .object(object)
    }

    /// ``value(for:capabilities:stream:)`` as compact JSON with sorted keys.
    public static func json(for request: ChatRequest, capabilities: ProviderCapabilities, stream: Bool) -> String {
        JSONText.encode(value(for: request, capabilities: capabilities, stream: stream), pretty: false)
    }
}
