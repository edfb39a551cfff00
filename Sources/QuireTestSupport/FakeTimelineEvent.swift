import Foundation

/// One moment on the fake server's timeline: a connection opened, a request fully received, or its
/// answer fully written. Times are wall-clock (`CLOCK_REALTIME`) nanoseconds, so a benchmark can
/// line them up with the processes it starts.
public struct FakeTimelineEvent: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case connected, received, answered
    }

    public var kind: Kind
    /// The request's index (every request, chat or not); nil for a connection.
    public var request: Int?
    public var at: UInt64

    public init(kind: Kind, request: Int?, at: UInt64) {
        self.kind = kind
        self.request = request
        self.at = at
    }

    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// `<kind> <request or -> <nanoseconds>`: one line of `quire-fake-server --timeline`.
    public var line: String { "\(kind.rawValue) \(request.map(String.init) ?? "-") \(at)" }
}
