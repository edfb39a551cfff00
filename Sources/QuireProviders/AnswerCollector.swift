import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// A whole (non-streamed) HTTP answer: status, headers and body, read on the event loop.
struct CollectedAnswer: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer

    var text: String { String(buffer: body) }
}

/// Collects an answer on the connection's event loop and hands it over once, whole.
///
/// Reading a body through `HTTPClientResponse.body` crosses from the event loop to the reading task for
/// the head, for each chunk and for the end; collecting it here crosses once, when the request ends.
/// A body past its limit ends the request at once (closing the connection rather than reading on):
/// a 2xx answer larger than `successLimit` fails with ``TooLarge``; an error answer is only read for the
/// server's message, so past `errorLimit` it fails with ``Cut``, which carries what was read.
final class AnswerCollector: HTTPClientResponseDelegate, Sendable {
    typealias Response = CollectedAnswer

    struct TooLarge: Error {
        var limit: Int
    }

    /// An error answer cut at the error limit: the status, headers and the first bytes of the body.
    struct Cut: Error {
        var answer: CollectedAnswer
    }

    private struct State {
        var status: HTTPResponseStatus?
        var headers = HTTPHeaders()
        var body = ByteBuffer()
    }

    private let successLimit: Int
    private let errorLimit: Int
    private let state = LockedState(State())

    init(successLimit: Int, errorLimit: Int) {
        self.successLimit = successLimit
        self.errorLimit = errorLimit
    }

    /// Whether the head arrived: a failure before it is the request's, after it the body's.
    var receivedHead: Bool { state.withLock { $0.status != nil } }

    func didReceiveHead(task: HTTPClient.Task<CollectedAnswer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock {
            $0.status = head.status
            $0.headers = head.headers
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<CollectedAnswer>, _ part: ByteBuffer) -> EventLoopFuture<Void> {
        let failure = state.withLock { state -> (any Error)? in
            let success = (200..<300).contains(state.status?.code ?? 0)
            let room = (success ? successLimit : errorLimit) - state.body.readableBytes
            var part = part
            if part.readableBytes <= room {
                state.body.writeBuffer(&part)
                return nil
            }
            if success { return TooLarge(limit: successLimit) }
            if var slice = part.readSlice(length: room) { state.body.writeBuffer(&slice) }
            return Cut(answer: CollectedAnswer(status: state.status ?? .ok, headers: state.headers, body: state.body))
        }
        guard let failure else { return task.eventLoop.makeSucceededVoidFuture() }
        task.fail(reason: failure)
        return task.eventLoop.makeFailedFuture(failure)
    }

    func didFinishRequest(task: HTTPClient.Task<CollectedAnswer>) throws -> CollectedAnswer {
        state.withLock { CollectedAnswer(status: $0.status ?? .ok, headers: $0.headers, body: $0.body) }
    }
}
