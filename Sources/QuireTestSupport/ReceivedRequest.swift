import QuireCore

/// A request the fake server received, for assertions.
public struct ReceivedRequest: Sendable {
    /// 0-based position among all requests the server received.
    public var index: Int
    /// 0-based position among `POST /v1/chat/completions` requests; nil for other requests.
    public var chatIndex: Int?
    public var method: String
    /// The path without query string, e.g. `/v1/chat/completions`.
    public var path: String
    /// Headers in the order received.
    public var headers: [(name: String, value: String)]
    /// The raw body as text.
    public var body: String
    /// The body parsed as JSON, when it is JSON.
    public var json: Value?

    public init(
        index: Int, chatIndex: Int?, method: String, path: String, headers: [(name: String, value: String)],
        body: String, json: Value?
    ) {
        self.index = index
        self.chatIndex = chatIndex
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.json = json
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// A top-level field of the JSON body.
    public subscript(field: String) -> Value? { json?.objectValue?[field] }

    public var model: String? { self["model"]?.stringValue }
    public var isStreaming: Bool { self["stream"] == .bool(true) }

    /// The `messages` of a chat request as (role, content) pairs.
    public var messages: [(role: String, content: String)] {
        (self["messages"]?.listValue ?? []).compactMap { item in
            guard let object = item.objectValue else { return nil }
            return (object["role"]?.stringValue ?? "", object["content"]?.stringValue ?? "")
        }
    }

    /// The content of the last `user` message, or "" when there is none.
    public var lastUserMessage: String { messages.last { $0.role == "user" }?.content ?? "" }
}
