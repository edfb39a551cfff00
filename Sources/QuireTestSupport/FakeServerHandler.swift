import NIOCore
import NIOHTTP1
import QuireCore

/// Serves one connection of the fake server. Lives on its channel's event loop; every delay is a
/// scheduled task on that loop, so no thread ever sleeps.
final class FakeServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: FakeServerCore
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var bodyTooLarge = false
    private var keepAlive = true
    private var active = true
    private var pending: Scheduled<Void>?
    /// The request being answered on this connection, until its answer is complete.
    private var inFlight: Int?
    /// The usage of the successful chat answer being sent, if that is what is being sent.
    private var answerUsage: FakeUsage?

    init(core: FakeServerCore) { self.core = core }

    private var options: FakeOpenAIServer.Options { core.options }

    func handlerAdded(context: ChannelHandlerContext) {
        if !core.connectionOpened(context.channel) { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        pending?.cancel()
        pending = nil
        if let index = inFlight { core.abandoned(index) }
        inFlight = nil
        core.connectionClosed(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.clear()
            bodyTooLarge = false
            keepAlive = requestHead.isKeepAlive
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes > options.maximumRequestBodyBytes {
                bodyTooLarge = true
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            respond(to: requestHead, context: context)
        }
    }

    // MARK: - Routing

    private func respond(to requestHead: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = String(requestHead.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let request = core.record(
            method: requestHead.method.rawValue, path: path,
            headers: requestHead.headers.map { (name: $0.name, value: $0.value) },
            body: bodyTooLarge ? "" : String(buffer: body))
        body.clear()
        inFlight = request.index
        core.note(.received, request: request.index)
        answerUsage = nil
        if bodyTooLarge {
            sendError(413, "The request body is larger than the fake server accepts.", type: "invalid_request_error",
                code: nil, context: context)
            return
        }
        if let fault = core.fault(for: request) {
            perform(fault, for: request, context: context)
        } else {
            serve(request, context: context)
        }
    }

    private func serve(_ request: ReceivedRequest, context: ChannelHandlerContext) {
        switch (request.method, request.path) {
        case ("GET", "/v1/models"):
            let data = Value.list(
                options.models.map {
                    ["id": .string($0), "object": "model", "created": 1_700_000_000, "owned_by": "fake"]
                })
            send(200, json: ["object": "list", "data": data], context: context)
        case ("POST", "/v1/chat/completions"):
            chat(request, context: context)
        default:
            sendError(
                404, "Unknown request URL: \(request.method) \(request.path).", type: "invalid_request_error",
                code: "unknown_url", context: context)
        }
    }

    private func chat(_ request: ReceivedRequest, context: ChannelHandlerContext) {
        if let key = options.apiKey, request.header("authorization") != "Bearer \(key)" {
            perform(.unauthorized, for: request, context: context)
            return
        }
        guard let object = request.json?.objectValue else {
            sendError(
                400, "We could not parse the JSON body of your request.", type: "invalid_request_error", code: nil,
                context: context)
            return
        }
        guard let model = object["model"]?.stringValue else {
            sendError(400, "You must provide a model parameter.", type: "invalid_request_error", code: nil,
                context: context)
            return
        }
        guard object["messages"]?.listValue != nil else {
            sendError(400, "'messages' is a required property", type: "invalid_request_error", code: nil,
                context: context)
            return
        }
        if options.knownModelsOnly && !options.models.contains(model) {
            perform(.modelNotFound, for: request, context: context)
            return
        }
        let reply = makeReply(request)
        // What the client can count: streams report usage only when asked to.
        answerUsage = !request.isStreaming || includeUsage(request) ? reply.usage : FakeUsage(prompt: 0, completion: 0)
        if request.isStreaming {
            let stream = streamEvents(reply, includeUsage: includeUsage(request))
            after(options.latency.base, context: context) {
                self.sendStream(stream, interval: self.options.latency.perToken, context: context)
            }
        } else {
            after(options.latency.total(tokens: reply.usage.completion), context: context) {
                self.send(200, json: self.completionJSON(reply), context: context)
            }
        }
    }

    // MARK: - Faults

    private func perform(_ fault: FakeFault, for request: ReceivedRequest, context: ChannelHandlerContext) {
        switch fault {
        case .status(let status, let text, let headers):
            let type = text?.hasPrefix("{") == true ? "application/json" : "text/plain; charset=utf-8"
            send(status, contentType: type, body: text ?? "", headers: headers, context: context)
        case .rateLimited(let retryAfter):
            sendError(
                429, "Rate limit reached for requests. Please try again later.", type: "requests",
                code: "rate_limit_exceeded", headers: retryAfter.map { ["Retry-After": $0] } ?? [:], context: context)
        case .serverError(let status):
            sendError(
                status, "The server had an error while processing your request. Sorry about that!",
                type: "server_error", code: nil, context: context)
        case .badRequest(let message, let code):
            sendError(400, message, type: "invalid_request_error", code: code, context: context)
        case .unauthorized:
            let sent = request.header("authorization").map { String($0.dropFirst("Bearer ".count)) } ?? "(none)"
            sendError(
                401, "Incorrect API key provided: \(sent). You can find your API key in your account settings.",
                type: "invalid_request_error", code: "invalid_api_key", context: context)
        case .modelNotFound:
            sendError(
                404, "The model `\(request.model ?? "")` does not exist or you do not have access to it.",
                type: "invalid_request_error", code: "model_not_found", context: context)
        case .stall(let duration):
            after(min(duration, options.maximumStall), context: context) {
                self.serve(request, context: context)
            }
        case .closeConnection:
            context.close(promise: nil)
        case .cutStream(let count):
            let reply = makeReply(request)
            let part: String
            if request.isStreaming {
                // Never the finish-reason chunk: the role chunk and at most all the words.
                let stream = streamEvents(reply, includeUsage: includeUsage(request))
                writeHead(200, contentType: "text/event-stream", contentLength: nil, context: context)
                part = stream.events.prefix(max(0, min(count, stream.words + 1))).joined()
            } else {
                let text = JSONText.encode(completionJSON(reply), pretty: false)
                writeHead(200, contentType: "application/json", contentLength: text.utf8.count, context: context)
                part = String(decoding: text.utf8.prefix(text.utf8.count / 2), as: UTF8.self)
            }
            // An empty body part would end a chunked body properly, so send at least a comment line.
            let written = context.writeAndFlush(
                wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: part.isEmpty ? ": cut\n" : part)))))
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .malformedJSON:
            send(
                200, contentType: "application/json",
                body: #"{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "this answer never ends"#,
                context: context)
        case .malformedSSE:
            send(
                200, contentType: "text/event-stream",
                body: "data: {\"id\": \"chatcmpl-broken\", \"choices\": [{\"delta\": {\"content\": \"par\n\ndata: [DONE]\n\n",
                context: context)
        case .wrongContentType:
            send(
                200, contentType: "text/html; charset=utf-8",
                body: "<html><body><h1>Please sign in to the network</h1></body></html>", context: context)
        }
    }

    // MARK: - Answers

    private struct Reply {
        var id: String
        var model: String
        var text: String
        var finishReason: String
        var usage: FakeUsage
    }

    private func makeReply(_ request: ReceivedRequest) -> Reply {
        let messages = request.messages
        let scripted = core.responder?(request) ?? FakeResponse(FakeReply.defaultReply(to: messages))
        let text: String
        let finishReason: String
        if let reason = scripted.finishReason {
            (text, finishReason) = (scripted.content, reason)
        } else {
            (text, finishReason) = FakeReply.finish(
                scripted.content, maxTokens: intField(request, "max_completion_tokens") ?? intField(request, "max_tokens"),
                stop: stopSequences(request))
        }
        let usage =
            scripted.usage
            ?? FakeUsage(prompt: FakeReply.promptTokens(messages), completion: FakeReply.tokenCount(text))
        return Reply(
            id: "chatcmpl-fake-\(request.index)", model: scripted.model ?? request.model ?? "", text: text,
            finishReason: finishReason, usage: usage)
    }

    private func intField(_ request: ReceivedRequest, _ name: String) -> Int? {
        switch request[name] {
        case .int(let value): value
        case .double(let value) where value.isFinite && abs(value) < 1e12: Int(value)
        default: nil
        }
    }

    private func stopSequences(_ request: ReceivedRequest) -> [String] {
        switch request["stop"] {
        case .string(let sequence): [sequence]
        case .list(let items): items.compactMap(\.stringValue)
        default: []
        }
    }

    private func includeUsage(_ request: ReceivedRequest) -> Bool {
        request["stream_options"]?.objectValue?["include_usage"] == .bool(true)
    }

    private func usageJSON(_ usage: FakeUsage) -> Value {
        ["prompt_tokens": .int(usage.prompt), "completion_tokens": .int(usage.completion), "total_tokens": .int(usage.total)]
    }

    private func completionJSON(_ reply: Reply) -> Value {
        [
            "id": .string(reply.id), "object": "chat.completion", "created": 1_700_000_000,
            "model": .string(reply.model),
            "choices": [
                [
                    "index": 0, "message": ["role": "assistant", "content": .string(reply.text)],
                    "finish_reason": .string(reply.finishReason), "logprobs": nil,
                ]
            ],
            "usage": usageJSON(reply.usage),
        ]
    }

    private struct StreamEvents {
        /// The role chunk, one chunk per word, the finish chunk, the usage chunk if asked for, `[DONE]`.
        var events: [String]
        var words: Int
    }

    /// The `data:` events of a streamed answer, `[DONE]` included.
    private func streamEvents(_ reply: Reply, includeUsage: Bool) -> StreamEvents {
        func chunk(_ delta: Value, finishReason: Value = nil) -> String {
            let value: Value = [
                "id": .string(reply.id), "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": .string(reply.model),
                "choices": [["index": 0, "delta": delta, "finish_reason": finishReason, "logprobs": nil]],
            ]
            return "data: \(JSONText.encode(value, pretty: false))\n\n"
        }
        let pieces = FakeReply.streamPieces(reply.text)
        var events = [chunk(["role": "assistant", "content": ""])]
        events += pieces.map { chunk(["content": .string($0)]) }
        events.append(chunk([:], finishReason: .string(reply.finishReason)))
        if includeUsage {
            let value: Value = [
                "id": .string(reply.id), "object": "chat.completion.chunk", "created": 1_700_000_000,
                "model": .string(reply.model), "choices": [], "usage": usageJSON(reply.usage),
            ]
            events.append("data: \(JSONText.encode(value, pretty: false))\n\n")
        }
        events.append("data: [DONE]\n\n")
        return StreamEvents(events: events, words: pieces.count)
    }

    // MARK: - Writing

    private func after(_ delay: Duration, context: ChannelHandlerContext, _ body: @escaping () -> Void) {
        guard delay > .zero else {
            body()
            return
        }
        pending = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [self] in
            pending = nil
            guard active else { return }
            body()
        }
    }

    /// Sends the head and the role chunk, then one word chunk per `interval` (all at once when zero),
    /// then the finish, usage and `[DONE]` events right after the last word, then ends the response.
    private func sendStream(_ stream: StreamEvents, interval: Duration, context: ChannelHandlerContext) {
        guard active else { return }
        writeHead(200, contentType: "text/event-stream", contentLength: nil, context: context)
        let events = stream.events
        guard interval > .zero, stream.words > 0 else {
            for event in events { write(event, context: context) }
            end(context: context)
            return
        }
        write(events[0], context: context)
        context.flush()
        var next = 1
        func step() {
            write(events[next], context: context)
            next += 1
            if next <= stream.words {
                context.flush()
                after(interval, context: context, step)
                return
            }
            for event in events[next...] { write(event, context: context) }
            end(context: context)
        }
        after(interval, context: context, step)
    }

    private func write(_ text: String, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
    }

    private func writeHead(
        _ status: Int, contentType: String, contentLength: Int?, headers extra: [String: String] = [:],
        context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        if let contentLength { headers.add(name: "Content-Length", value: String(contentLength)) }
        if contentType.hasPrefix("text/event-stream") { headers.add(name: "Cache-Control", value: "no-cache") }
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    private func send(_ status: Int, json: Value, context: ChannelHandlerContext) {
        send(status, contentType: "application/json", body: JSONText.encode(json, pretty: false), context: context)
    }

    private func sendError(
        _ status: Int, _ message: String, type: String, code: String?, headers: [String: String] = [:],
        context: ChannelHandlerContext
    ) {
        let error: Value = [
            "error": [
                "message": .string(message), "type": .string(type), "param": nil,
                "code": code.map(Value.string) ?? .null,
            ]
        ]
        send(
            status, contentType: "application/json", body: JSONText.encode(error, pretty: false), headers: headers,
            context: context)
    }

    private func send(
        _ status: Int, contentType: String, body text: String, headers: [String: String] = [:],
        context: ChannelHandlerContext
    ) {
        guard active else { return }
        let buffer = ByteBuffer(string: text)
        writeHead(status, contentType: contentType, contentLength: buffer.readableBytes, headers: headers, context: context)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        end(context: context)
    }

    private func end(context: ChannelHandlerContext) {
        if let index = inFlight, let usage = answerUsage { core.delivered(index, usage: usage) }
        if let index = inFlight { core.note(.answered, request: index) }
        inFlight = nil
        answerUsage = nil
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = nanos.overflow ? .nanoseconds(.max) : .nanoseconds(nanos.partialValue + attoseconds / 1_000_000_000)
    }
}
