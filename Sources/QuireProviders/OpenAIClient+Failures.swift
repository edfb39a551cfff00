import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import QuireCore

/// Turning HTTP answers and transport errors into ``ProviderError``s a user can act on.
extension OpenAIClient {
    enum Phase {
        /// Sending the request and waiting for the response head.
        case request
        /// Reading a whole (non-streamed) body.
        case body
        /// Reading an event stream, after `chunks` chunks.
        case stream(chunks: Int)
    }

    var providerLabel: String { "provider '\(configuration.name)'" }

    func malformed(_ reason: String) -> ProviderError {
        ProviderError(
            .malformedResponse, provider: configuration.name,
            message: "\(providerLabel) sent a malformed answer: \(reason)")
    }

    /// The error for a non-2xx answer, from its status, headers and (the first part of) its body.
    func statusFailure(status: Int, headers: HTTPHeaders, body: String, model: String?) async -> ProviderError {
        let server = CompletionDecoder.serverError(inBody: body)
        let serverMessage = (server?.message).map(Self.oneLine) ?? Self.plainTextMessage(body)
        let retryAfter =
            Self.retryAfterMilliseconds(headers.first(name: "retry-after-ms"))
            ?? RetryAfter.parse(headers.first(name: "retry-after"), now: wallClock())
        let name = configuration.name
        let said = serverMessage.map { ": \($0)" } ?? ""

        switch status {
        case 401, 403:
            let hint =
                configuration.apiKey == nil
                ? "\(configuration.apiKeyVariable) is not set" : "check \(configuration.apiKeyVariable)"
            return ProviderError(
                .authentication, provider: name,
                message: "authentication failed for \(providerLabel) (HTTP \(status)): \(hint)", statusCode: status,
                notes: serverMessage.map { ["the server said: \($0)"] } ?? [])
        case 404 where model != nil:
            return await modelNotFound(model!, status: status, serverMessage: serverMessage)
        case 400 where model != nil && server?.code == "model_not_found":
            return await modelNotFound(model!, status: status, serverMessage: serverMessage)
        case 404:
            return ProviderError(
                .httpStatus, provider: name,
                message: "\(providerLabel) has nothing at \(configuration.modelsURL) (HTTP 404); check its base URL",
                statusCode: status)
        case 400, 422:
            return ProviderError(
                .badRequest, provider: name,
                message: "\(providerLabel) rejected the request (HTTP \(status))\(said.isEmpty ? "" : said)",
                statusCode: status)
        case 408:
            return ProviderError(
                .timeout, provider: name, message: "\(providerLabel) timed out handling the request (HTTP 408)",
                statusCode: status, retryAfter: retryAfter)
        case 429 where server?.code == "insufficient_quota" || server?.type == "insufficient_quota":
            return ProviderError(
                .httpStatus, provider: name,
                message: "\(providerLabel) refused the request: the account's quota is used up (HTTP 429)\(said)",
                statusCode: status)
        case 429:
            let wait = retryAfter.map { "; it asked to wait \($0.humanReadable)" } ?? ""
            return ProviderError(
                .rateLimited, provider: name, message: "\(providerLabel) is rate limiting requests (HTTP 429)\(wait)",
                statusCode: status, retryAfter: retryAfter, notes: serverMessage.map { ["the server said: \($0)"] } ?? [])
        case 409, 500...599:
            return ProviderError(
                .serverError, provider: name, message: "\(providerLabel) failed with HTTP \(status)\(said)",
                statusCode: status, retryAfter: retryAfter)
        default:
            return ProviderError(
                .httpStatus, provider: name, message: "\(providerLabel) answered HTTP \(status)\(said)",
                statusCode: status)
        }
    }

    private func modelNotFound(_ model: String, status: Int, serverMessage: String?) async -> ProviderError {
        let limit = min(configuration.timeouts.request, .seconds(10))
        let available = (try? await modelsAttempt(limit: limit)) ?? []
        var notes: [String] = []
        let message: String
        if available.isEmpty {
            message =
                "model '\(model)' not found at \(providerLabel) (HTTP \(status) from "
                + "\(configuration.chatCompletionsURL)); check the model name and the provider's base URL"
        } else {
            if let suggestion = Suggestions.didYouMean(model, in: available) { notes.append(suggestion) }
            let shown = available.prefix(20).joined(separator: ", ")
            let more = available.count > 20 ? " … (\(available.count - 20) more)" : ""
            message = "model '\(model)' not found at \(providerLabel); available models: \(shown)\(more)"
        }
        if let serverMessage { notes.append("the server said: \(serverMessage)") }
        return ProviderError(
            .modelNotFound, provider: configuration.name, message: message, statusCode: status,
            availableModels: available, notes: notes)
    }

    /// The error for a failure below HTTP: connection, timeout, cancellation, a cut body.
    func transportFailure(_ error: any Error, phase: Phase) -> ProviderError {
        if let error = error as? ProviderError { return error }
        let name = configuration.name
        if Task.isCancelled || error is CancellationError { return cancelled(attempts: 1) }
        let timeouts = configuration.timeouts
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return ProviderError(
                    .timeout, provider: name,
                    message: "could not connect to \(providerLabel) at \(configuration.baseURL) within "
                        + "\(timeouts.connect.humanReadable) (connect timeout)")
            case .readTimeout:
                return ProviderError(
                    .timeout, provider: name,
                    message: "\(providerLabel) sent nothing for \(timeouts.read.humanReadable) (read timeout)")
            case .deadlineExceeded:
                return ProviderError(
                    .timeout, provider: name,
                    message: "\(providerLabel) did not answer within the request timeout")
            case .cancelled:
                return ProviderError(
                    .connection, provider: name, message: "the request to \(providerLabel) was cancelled by the HTTP client")
            case .alreadyShutdown:
                return ProviderError(
                    .configuration, provider: name, message: "the client for \(providerLabel) was already shut down",
                    attempts: 0)
            case .invalidURL, .emptyHost, .emptyScheme:
                return ProviderError(
                    .configuration, provider: name,
                    message: "the base URL '\(configuration.baseURL)' of \(providerLabel) is not a valid http(s) URL",
                    attempts: 0)
            default:
                break
            }
        }
        if case ChannelError.connectTimeout = error {
            return ProviderError(
                .timeout, provider: name,
                message: "could not connect to \(providerLabel) at \(configuration.baseURL) within "
                    + "\(timeouts.connect.humanReadable) (connect timeout)")
        }
        let detail = Self.describe(error)
        switch phase {
        case .request:
            if detail.lowercased().contains("refused") {
                return ProviderError(
                    .connection, provider: name,
                    message: "could not connect to \(providerLabel) at \(configuration.baseURL): connection refused")
            }
            if let error = error as? HTTPClientError, error == .remoteConnectionClosed {
                return ProviderError(
                    .connection, provider: name, message: "\(providerLabel) closed the connection without answering")
            }
            return ProviderError(
                .connection, provider: name, message: "the request to \(providerLabel) failed: \(detail)")
        case .body:
            return ProviderError(
                .connection, provider: name,
                message: "the connection to \(providerLabel) broke while reading the answer: \(detail)")
        case .stream(let chunks):
            return ProviderError(
                .streamInterrupted, provider: name,
                message: "the stream from \(providerLabel) broke after \(chunks) chunk\(chunks == 1 ? "" : "s"): "
                    + detail)
        }
    }

    /// A short description of a library error.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .remoteConnectionClosed: return "the server closed the connection"
            case .readTimeout: return "read timeout"
            default: break
            }
        }
        if error is HTTPParserError { return "the server sent invalid HTTP (\(error))" }
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    static func oneLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > 500 ? String(line.prefix(500)) + "…" : line
    }

    /// The first line of a plain-text error body, or nil for empty or HTML bodies.
    static func plainTextMessage(_ body: String) -> String? {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("<"), !trimmed.hasPrefix("{") else { return nil }
        return oneLine(String(trimmed.prefix(200)))
    }

    static func retryAfterMilliseconds(_ header: String?) -> Duration? {
        guard let header, let value = Double(header.trimmingCharacters(in: .whitespaces)), value.isFinite,
            value >= 0
        else { return nil }
        return .milliseconds(Int64(min(value, 86_400_000)))
    }
}
