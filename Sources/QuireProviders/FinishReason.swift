/// Why the model stopped: `stop`, `length`, `content_filter`, `tool_calls`, or whatever else a backend says.
///
/// Kept open (a wrapper around the raw string) because OpenAI-compatible servers add their own values.
public struct FinishReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The model finished its answer or hit a stop sequence.
    public static let stop = FinishReason(rawValue: "stop")
    /// The answer was cut at the output-token limit.
    public static let length = FinishReason(rawValue: "length")
    /// The provider withheld content.
    public static let contentFilter = FinishReason(rawValue: "content_filter")
    /// The model asked for a tool call.
    public static let toolCalls = FinishReason(rawValue: "tool_calls")

    public var description: String { rawValue }
}
