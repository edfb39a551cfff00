/// A failure the fake server produces instead of (or before) a normal answer. Deterministic: each
/// fault is chosen by request index, by a queue, or by a predicate, never at random.
public enum FakeFault: Sendable, Hashable {
    /// Any status with an optional body (sent as `application/json` when it starts with `{`) and headers.
    case status(Int, body: String?, headers: [String: String])
    /// 429 with an OpenAI-style `rate_limit_exceeded` body; `Retry-After` is sent verbatim when given
    /// (seconds such as `"2"`, or an HTTP-date).
    case rateLimited(retryAfter: String?)
    /// A 5xx (500, 502, 503, 504, …) with an OpenAI-style `server_error` body.
    case serverError(Int)
    /// 400 with `{"error": {"message": message, "type": "invalid_request_error", "code": code}}`.
    case badRequest(message: String, code: String?)
    /// 401 whose message echoes the whole key the client sent (worse than OpenAI, which masks it),
    /// so tests can check that clients scrub it.
    case unauthorized
    /// 404 with OpenAI's `model_not_found` body for the requested model.
    case modelNotFound
    /// Says nothing for the duration (capped by ``FakeOpenAIServer/Options/maximumStall``), then answers
    /// normally if the client is still there.
    case stall(Duration)
    /// Closes the connection without answering.
    case closeConnection
    /// Answers 200, sends `afterChunks` events of the stream (or part of a non-streamed body), then
    /// closes the connection without finishing.
    case cutStream(afterChunks: Int)
    /// 200 `application/json` whose body is not valid JSON.
    case malformedJSON
    /// 200 `text/event-stream` whose first event's data is not JSON.
    case malformedSSE
    /// 200 `text/html` with an HTML page, as a captive portal or proxy would send.
    case wrongContentType
}
