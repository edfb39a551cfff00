import NIOCore
import NIOHTTP1
import NIOPosix
import QuireCore

/// A real HTTP/1.1 server on 127.0.0.1 that speaks enough of the OpenAI API for tests and benchmarks:
/// `POST /v1/chat/completions` (plain and streamed) and `GET /v1/models`.
///
/// Answers are deterministic (see ``FakeReply`` for the rules) unless a responder is installed.
/// Faults are scripted by chat-request index, as a queue, or by predicate. Every request is recorded.
///
/// ```swift
/// let server = FakeOpenAIServer()
/// try await server.start()
/// defer { Task { await server.stop() } }   // or call stop() at the end of the test
/// server.injectFaults([.serverError(503)])
/// // point a client at server.baseURL, e.g. http://127.0.0.1:54321/v1
/// ```
///
/// The server owns one event-loop thread, created by ``start()`` and joined by ``stop()``.
public final class FakeOpenAIServer: Sendable {
    public struct Options: Sendable {
        /// The ids `GET /v1/models` lists.
        public var models: [String]
        /// Answer 404 `model_not_found` for models not in ``models`` (otherwise any model is accepted).
        public var knownModelsOnly: Bool
        /// When set, chat requests without `Authorization: Bearer <apiKey>` get 401.
        public var apiKey: String?
        public var latency: FakeLatency
        /// Bodies above this size get 413.
        public var maximumRequestBodyBytes: Int
        /// The oldest recorded requests are dropped beyond this (counts stay exact).
        public var maximumRecordedRequests: Int
        /// Further connections are closed at once.
        public var maximumConnections: Int
        /// The longest a ``FakeFault/stall(_:)`` lasts.
        public var maximumStall: Duration
        /// Keep a ``FakeOpenAIServer/timeline`` of connections, arrivals and answers (for benchmarks).
        public var recordsTimeline: Bool

        public init(
            models: [String] = ["fake-model", "fake-model-large"], knownModelsOnly: Bool = false,
            apiKey: String? = nil, latency: FakeLatency = .none, maximumRequestBodyBytes: Int = 4 << 20,
            maximumRecordedRequests: Int = 10_000, maximumConnections: Int = 256,
            maximumStall: Duration = .seconds(30), recordsTimeline: Bool = false
        ) {
            self.models = models
            self.knownModelsOnly = knownModelsOnly
            self.apiKey = apiKey
            self.latency = latency
            self.maximumRequestBodyBytes = maximumRequestBodyBytes
            self.maximumRecordedRequests = maximumRecordedRequests
            self.maximumConnections = maximumConnections
            self.maximumStall = maximumStall
            self.recordsTimeline = recordsTimeline
        }
    }

    public enum ServerError: Error, Sendable, Hashable {
        case alreadyStarted
        case noPort
    }

    private struct Lifecycle {
        var group: MultiThreadedEventLoopGroup?
        var channel: (any Channel)?
        var port = 0
        var stopped = false
    }

    public let options: Options
    private let core: FakeServerCore
    private let lifecycle = LockedState(Lifecycle())

    public init(options: Options = Options()) {
        self.options = options
        self.core = FakeServerCore(options: options)
    }

    /// `FakeOpenAIServer(options:)` with the common options spelled out.
    public convenience init(
        models: [String] = ["fake-model", "fake-model-large"], knownModelsOnly: Bool = false, apiKey: String? = nil,
        latency: FakeLatency = .none
    ) {
        self.init(options: Options(models: models, knownModelsOnly: knownModelsOnly, apiKey: apiKey, latency: latency))
    }

    /// A server dropped without ``stop()`` still releases its port and thread, asynchronously.
    deinit {
        let (group, channel) = lifecycle.withLock { ($0.group, $0.channel) }
        guard let group else { return }
        channel?.close(promise: nil)
        group.shutdownGracefully { _ in }
    }

    // MARK: - Lifecycle

    /// Binds 127.0.0.1 on a free port and starts serving. Returns the port.
    @discardableResult
    public func start() async throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let claimed = lifecycle.withLock { state -> Bool in
            guard state.group == nil, !state.stopped else { return false }
            state.group = group
            return true
        }
        guard claimed else {
            try await group.shutdownGracefully()
            throw ServerError.alreadyStarted
        }
        let core = self.core
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 256)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(FakeServerHandler(core: core))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            guard let port = channel.localAddress?.port else {
                try? await channel.close()
                throw ServerError.noPort
            }
            lifecycle.withLock { state in
                state.channel = channel
                state.port = port
            }
            return port
        } catch {
            lifecycle.withLock { $0.group = nil }
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening, closes every connection (cancelling pending answers) and joins the thread.
    /// Safe to call more than once.
    public func stop() async {
        let (group, channel) = lifecycle.withLock { state in
            defer {
                state.group = nil
                state.channel = nil
                state.stopped = true
            }
            return (state.group, state.channel)
        }
        guard let group else { return }
        let connections = core.state.withLock { state in
            state.stopping = true
            return Array(state.connections.values)
        }
        try? await channel?.close()
        for connection in connections { try? await connection.close() }
        try? await group.shutdownGracefully()
    }

    /// The bound port (0 before ``start()``).
    public var port: Int { lifecycle.withLock { $0.port } }

    /// `http://127.0.0.1:<port>/v1`: the base URL to configure a provider with.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    // MARK: - Scripting

    /// Answers chat requests with `responder` instead of the default echo (nil restores the default).
    public func setResponder(_ responder: (@Sendable (ReceivedRequest) -> FakeResponse)?) {
        core.state.withLock { $0.responder = responder }
    }

    /// Fails the chat request with 0-based index `index` (among chat requests) with `fault`.
    public func injectFault(_ fault: FakeFault, at index: Int) {
        core.state.withLock { $0.faultsByIndex[index] = fault }
    }

    /// Fails the next chat requests with these faults, one each, in order.
    public func injectFaults(_ faults: [FakeFault]) {
        core.state.withLock { $0.faultQueue += faults }
    }

    /// Fails up to `times` requests (of any path) for which `predicate` holds.
    public func injectFault(
        _ fault: FakeFault, times: Int = 1, when predicate: @escaping @Sendable (ReceivedRequest) -> Bool
    ) {
        guard times > 0 else { return }
        core.state.withLock {
            $0.predicateFaults.append(.init(predicate: predicate, fault: fault, remaining: times))
        }
    }

    /// Faults a seeded share of the chat requests no other script covers (nil stops it). See ``FakeFaultSchedule``.
    public func setFaultSchedule(_ schedule: FakeFaultSchedule?) {
        core.state.withLock { $0.schedule = schedule }
    }

    /// Removes every scripted fault that has not fired yet, and the schedule.
    public func clearFaults() {
        core.state.withLock { state in
            state.schedule = nil
            state.faultsByIndex.removeAll()
            state.faultQueue.removeAll()
            state.predicateFaults.removeAll()
        }
    }

    // MARK: - Observation

    /// The requests received, oldest first (up to ``Options/maximumRecordedRequests``).
    public var requests: [ReceivedRequest] { core.state.withLock { $0.requests } }

    /// The `POST /v1/chat/completions` requests received.
    public var chatRequests: [ReceivedRequest] { requests.filter { $0.chatIndex != nil } }

    /// All requests received.
    public var requestCount: Int { core.state.withLock { $0.requestCount } }

    /// Chat completion requests received.
    public var chatRequestCount: Int { core.state.withLock { $0.chatRequestCount } }

    /// Connections accepted so far.
    public var connectionCount: Int { core.state.withLock { $0.connectionCount } }

    /// Connections open now.
    public var openConnectionCount: Int { core.state.withLock { $0.connections.count } }

    /// The most connections that were open at once.
    public var peakConnectionCount: Int { core.state.withLock { $0.peakConnectionCount } }

    /// Connections opened, requests received and answers completed, in order, when
    /// ``Options/recordsTimeline`` is set; empty otherwise.
    public var timeline: [FakeTimelineEvent] { core.state.withLock { $0.timeline } }

    /// The fault each faulted request got, by request index (``ReceivedRequest/index``).
    public var appliedFaults: [Int: FakeFault] { core.state.withLock { $0.appliedFaults } }

    /// The usage of every complete, successful chat answer sent, by request index: what a client that
    /// counts each answer once should have counted (failed, cut and abandoned answers are not here).
    public var deliveredUsage: [Int: FakeUsage] { core.state.withLock { $0.deliveredUsage } }

    /// Requests whose connection closed, from either side, before their answer was complete (a
    /// cancelled client, a timed-out stall, a cut stream).
    public var abandonedRequests: Set<Int> { core.state.withLock { $0.abandoned } }

    /// Forgets recorded requests and counts (scripts and responder stay).
    public func resetRecords() {
        core.state.withLock { state in
            state.appliedFaults.removeAll()
            state.deliveredUsage.removeAll()
            state.abandoned.removeAll()
            state.attemptsByBody.removeAll()
            state.requests.removeAll()
            state.requestCount = 0
            state.chatRequestCount = 0
        }
    }
}
