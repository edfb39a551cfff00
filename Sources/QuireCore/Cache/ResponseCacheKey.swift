/// The address of a cached answer: the SHA-256 of the provider's identity (base URL, never the key)
/// and the canonical request (``ChatRequest/canonicalJSON``, the form recordings are keyed by, which
/// includes the model).
public enum ResponseCacheKey {
    public static let version = "quire-response-cache/1"

    /// Whether an answer to `parameters` can be reused: temperature 0, or a `seed`.
    public static func isDeterministic(_ parameters: ModelParameters) -> Bool {
        parameters.temperature == 0 || parameters.seed != nil
    }

    public static func key(provider identity: String, request: ChatRequest) -> String {
        ContentHash.sha256(version + "\n" + identity + "\n" + request.canonicalJSON)
    }

    /// A provider's identity for the cache: its base URL without user information, query or trailing
    /// slash (`https://api.openai.com/v1`), or for a local model `local:<model file>`.
    public static func identity(baseURL: String) -> String {
        // Taken for every call: a base URL with nothing to remove is returned as it is, without the
        // string searches below (a few microseconds each time).
        let utf8 = baseURL.utf8
        if utf8.last != UInt8(ascii: "/"),
           !utf8.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            return baseURL
        }
        var url = baseURL
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") {
                url = String(url[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
            }
        }
        if let query = url.firstIndex(where: { $0 == "?" || $0 == "#" }) { url = String(url[..<query]) }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
