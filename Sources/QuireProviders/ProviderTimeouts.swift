/// How long one HTTP attempt may take. The total budget across retries is ``RetryPolicy/deadline``.
public struct ProviderTimeouts: Sendable, Hashable {
    /// Establishing the TCP (and TLS) connection. Set explicitly because AsyncHTTPClient otherwise
    /// waits 10 s, even for a refused connection to a local server.
    public var connect: Duration
    /// The longest silence while waiting for the response or the next streamed bytes.
    public var read: Duration
    /// One whole attempt, from sending the request to the last byte of the answer (streams included).
    public var request: Duration

    public init(connect: Duration = .seconds(5), read: Duration = .seconds(60), request: Duration = .seconds(300)) {
        self.connect = connect
        self.read = read
        self.request = request
    }
}
