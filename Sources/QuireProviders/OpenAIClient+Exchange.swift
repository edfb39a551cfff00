import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import QuireCore

/// One HTTP attempt: build the request, send it, read the answer.
extension OpenAIClient {
    static let maximumAnswerBytes = 32 << 20
    static let maximumErrorBytes = 64 << 10
    static let maximumModelListBytes = 8 << 20

    func chatAttempt(
        body: String, model: String, stream: Bool, onDelta: (@Sendable (String) -> Void)?, limit: Duration
    ) async throws(ProviderError) -> CompletionDecoder.Completion {
        if stream { return try await streamedChatAttempt(body: body, model: model, onDelta: onDelta, limit: limit) }
        let request: HTTPClient.Request
        if var prepared = chatRequest {
            prepared.body = .string(body)
            request = prepared
        } else {
            request = try makeRequest(
                url: configuration.chatCompletionsURL, method: .POST, headers: jsonHeaders, body: body)
        }
        let answer = try await collect(request, limit: limit, successLimit: Self.maximumAnswerBytes, tooLarge: "the answer")
        guard (200..<300).contains(Int(answer.status.code)) else {
            throw await statusFailure(
                status: Int(answer.status.code), headers: answer.headers, body: answer.text, model: model)
        }
        let contentType = answer.headers.first(name: "content-type")?.lowercased() ?? ""
        guard contentType.isEmpty || contentType.contains("json") else {
            throw malformed("unexpected content type '\(contentType)' (expected application/json)")
        }
        return try decodeCompletion(answer.text)
    }

    /// A streamed attempt: the answer is read as it arrives, over AsyncHTTPClient's async interface.
    private func streamedChatAttempt(
        body: String, model: String, onDelta: (@Sendable (String) -> Void)?, limit: Duration
    ) async throws(ProviderError) -> CompletionDecoder.Completion {
        var request = HTTPClientRequest(url: configuration.chatCompletionsURL)
        request.method = .POST
        request.headers = headers(accept: "text/event-stream", hasBody: true)
        request.body = .bytes(ByteBuffer(string: body))
        let prepared = request
        return try await withTimeLimit(limit) { () async throws -> CompletionDecoder.Completion in
            let response = try await self.send(prepared, limit: limit)
            guard (200..<300).contains(Int(response.status.code)) else {
                let text = (try? await Self.readBody(response, limit: Self.maximumErrorBytes).text) ?? ""
                throw await self.statusFailure(
                    status: Int(response.status.code), headers: response.headers, body: text, model: model)
            }
            let contentType = response.headers.first(name: "content-type")?.lowercased() ?? ""
            if contentType.hasPrefix("text/event-stream") {
                return try await self.readStream(response, onDelta: onDelta)
            }
            guard contentType.isEmpty || contentType.contains("json") else {
                throw self.malformed("unexpected content type '\(contentType)' (expected text/event-stream)")
            }
            let text = try await self.readAnswer(response)
            let completion = try self.decodeCompletion(text)
            // A backend that ignores `stream: true` answers in one piece; pass it on as one delta.
            if !completion.content.isEmpty { onDelta?(completion.content) }
            return completion
        }
    }

    func modelsAttempt(limit: Duration) async throws(ProviderError) -> [String] {
        let request = try makeRequest(
            url: configuration.modelsURL, method: .GET, headers: headers(accept: "application/json", hasBody: false),
            body: nil)
        let answer = try await collect(
            request, limit: limit, successLimit: Self.maximumModelListBytes, tooLarge: "the model list")
        guard (200..<300).contains(Int(answer.status.code)) else {
            throw await statusFailure(status: Int(answer.status.code), headers: answer.headers, body: answer.text, model: nil)
        }
        return try decodeModelList(answer.text)
    }

    /// Sends a request and collects its whole answer on the event loop (``AnswerCollector``), within
    /// `limit` from sending to the last byte. Cancelling the calling task cancels the request.
    private func collect(
        _ request: HTTPClient.Request, limit: Duration, successLimit: Int, tooLarge what: String
    ) async throws(ProviderError) -> CollectedAnswer {
        let collector = AnswerCollector(successLimit: successLimit, errorLimit: Self.maximumErrorBytes)
        let task = http.execute(request: request, delegate: collector, deadline: .now() + TimeAmount(limit))
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch let cut as AnswerCollector.Cut {
            return cut.answer
        } catch is AnswerCollector.TooLarge {
            throw malformed("\(what) is larger than \(successLimit >> 20) MB")
        } catch let error as HTTPClientError where error == .deadlineExceeded && !Task.isCancelled {
            throw requestTimeout(limit)
        } catch {
            throw transportFailure(error, phase: collector.receivedHead ? .body : .request)
        }
    }

    private func makeRequest(url: String, method: HTTPMethod, headers: HTTPHeaders, body: String?)
        throws(ProviderError) -> HTTPClient.Request
    {
        do {
            return try HTTPClient.Request(url: url, method: method, headers: headers, body: body.map { .string($0) })
        } catch {
            throw transportFailure(error, phase: .request)
        }
    }

    private func requestTimeout(_ limit: Duration) -> ProviderError {
        ProviderError(
            .timeout, provider: configuration.name,
            message: "provider '\(configuration.name)' did not finish answering within "
                + "\(limit.humanReadable) (request timeout)")
    }

    // MARK: - Pieces

    private func decodeCompletion(_ text: String) throws(ProviderError) -> CompletionDecoder.Completion {
        do {
            return try CompletionDecoder.completion(from: text)
        } catch {
            throw malformed(error.reason)
        }
    }

    private func decodeModelList(_ text: String) throws(ProviderError) -> [String] {
        do {
            return try CompletionDecoder.modelIDs(from: text)
        } catch {
            throw malformed(error.reason)
        }
    }

    func headers(accept: String, hasBody: Bool) -> HTTPHeaders {
        Self.headers(configuration, accept: accept, hasBody: hasBody)
    }

    static func headers(_ configuration: ProviderConfiguration, accept: String, hasBody: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "quire")
        headers.add(name: "Accept", value: accept)
        if hasBody { headers.add(name: "Content-Type", value: "application/json") }
        if let key = configuration.apiKey { headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in configuration.headers.sorted(by: { $0.key < $1.key }) {
            headers.replaceOrAdd(name: name, value: value)
        }
        return headers
    }

    func send(_ request: HTTPClientRequest, limit: Duration) async throws(ProviderError) -> HTTPClientResponse {
        do {
            // A second behind the caller's own limit (``withTimeLimit(_:_:)``), which reports the timeout
            // with its length; this one only backs it up.
            return try await http.execute(request, deadline: .now() + TimeAmount(limit) + .seconds(1))
        } catch {
            throw transportFailure(error, phase: .request)
        }
    }

    /// Runs `operation` with a time limit on the whole of it, response body included (AsyncHTTPClient's
    /// deadline covers only the response head). Cancelling the calling task cancels the request.
    func withTimeLimit<T: Sendable>(
        _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws(ProviderError) -> T {
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else { throw TimeLimitReached() }
                return value
            }
        } catch let error as ProviderError {
            throw error
        } catch is TimeLimitReached {
            throw requestTimeout(limit)
        } catch {
            throw transportFailure(error, phase: .request)
        }
    }

    /// Reads up to `limit` bytes of a body; `truncated` says whether there was more.
    static func readBody(_ response: HTTPClientResponse, limit: Int) async throws -> (text: String, truncated: Bool) {
        var collected = ByteBuffer()
        for try await var chunk in response.body {
            let room = limit - collected.readableBytes
            if chunk.readableBytes > room {
                if var slice = chunk.readSlice(length: room) { collected.writeBuffer(&slice) }
                return (String(buffer: collected), true)
            }
            collected.writeBuffer(&chunk)
        }
        return (String(buffer: collected), false)
    }

    private func readAnswer(_ response: HTTPClientResponse) async throws(ProviderError) -> String {
        do {
            let read = try await Self.readBody(response, limit: Self.maximumAnswerBytes)
            guard !read.truncated else {
                throw malformed("the answer is larger than \(Self.maximumAnswerBytes >> 20) MB")
            }
            return read.text
        } catch let error as ProviderError {
            throw error
        } catch {
            throw transportFailure(error, phase: .body)
        }
    }

    private func readStream(_ response: HTTPClientResponse, onDelta: (@Sendable (String) -> Void)?)
        async throws(ProviderError) -> CompletionDecoder.Completion
    {
        var parser = ServerSentEventParser()
        var accumulator = StreamAccumulator()
        do {
            reading: for try await chunk in response.body {
                for event in try parser.feed(chunk.readableBytesView) {
                    if let delta = try accumulator.apply(event.data) { onDelta?(delta) }
                    if accumulator.done { break reading }
                }
            }
        } catch let failure as ServerSentEventParser.Failure {
            throw malformed("bad event stream: \(failure)")
        } catch let failure as CompletionDecoder.Malformed {
            throw malformed("bad stream chunk: \(failure.reason)")
        } catch {
            if Task.isCancelled { throw cancelled(attempts: 1) }
            throw transportFailure(error, phase: .stream(chunks: accumulator.chunks))
        }
        _ = parser.finish()
        guard accumulator.isComplete else {
            throw ProviderError(
                .streamInterrupted, provider: configuration.name,
                message: "the stream from provider '\(configuration.name)' ended after \(accumulator.chunks) "
                    + "chunk\(accumulator.chunks == 1 ? "" : "s") without a finish reason or [DONE]")
        }
        return CompletionDecoder.Completion(
            content: accumulator.content, finishReason: accumulator.finishReason, usage: accumulator.usage,
            model: accumulator.model, id: accumulator.id)
    }
}

private struct TimeLimitReached: Error {}
