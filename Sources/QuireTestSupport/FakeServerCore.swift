import NIOCore
import QuireCore

/// The fake server's shared state: options, scripts, recorded requests, live connections.
/// Touched from event-loop threads and test tasks alike, so everything sits behind one lock.
final class FakeServerCore: Sendable {
    struct PredicateFault {
        let predicate: @Sendable (ReceivedRequest) -> Bool
        let fault: FakeFault
        var remaining: Int
    }

    struct State {
        var requests: [ReceivedRequest] = []
        var requestCount = 0
        var chatRequestCount = 0
        var faultsByIndex: [Int: FakeFault] = [:]
        var faultQueue: [FakeFault] = []
        var predicateFaults: [PredicateFault] = []
        var responder: (@Sendable (ReceivedRequest) -> FakeResponse)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var connectionCount = 0
        var peakConnectionCount = 0
        var closedConnectionCount = 0
        var stopping = false
        var schedule: FakeFaultSchedule?
        /// How many chat requests with each body (by hash) were seen while a schedule was set, for
        /// the schedule's attempt numbers.
        var attemptsByBody: [UInt64: Int] = [:]
        /// The fault each faulted request got, by request index.
        var appliedFaults: [Int: FakeFault] = [:]
        /// The usage of every complete successful chat answer sent, by request index.
        var deliveredUsage: [Int: FakeUsage] = [:]
        /// Requests whose connection closed before their answer was complete.
        var abandoned: Set<Int> = []
        /// When ``FakeOpenAIServer/Options/recordsTimeline`` is set: when each connection opened and
        /// each request arrived and was answered.
        var timeline: [FakeTimelineEvent] = []
    }

    let options: FakeOpenAIServer.Options
    let state = LockedState(State())

    init(options: FakeOpenAIServer.Options) { self.options = options }

    /// Records a request and assigns its indexes.
    func record(method: String, path: String, headers: [(name: String, value: String)], body: String)
        -> ReceivedRequest
    {
        let json = try? JSONText.decode(body)
        return state.withLock { state in
            let isChat = method == "POST" && path == "/v1/chat/completions"
            let request = ReceivedRequest(
                index: state.requestCount, chatIndex: isChat ? state.chatRequestCount : nil, method: method,
                path: path, headers: headers, body: body, json: body.isEmpty ? nil : json)
            state.requestCount += 1
            if isChat { state.chatRequestCount += 1 }
            if state.requests.count >= options.maximumRecordedRequests { state.requests.removeFirst() }
            state.requests.append(request)
            return request
        }
    }

    /// The fault scripted for `request`, if any: by chat index first, then by predicate, then the queue
    /// (the queue and index faults apply to chat requests only), then the seeded schedule.
    func fault(for request: ReceivedRequest) -> FakeFault? {
        state.withLock { state in
            let fault = Self.scriptedFault(for: request, state: &state)
            if let fault { state.appliedFaults[request.index] = fault }
            return fault
        }
    }

    private static func scriptedFault(for request: ReceivedRequest, state: inout State) -> FakeFault? {
        var attempt = 0
        if request.chatIndex != nil, state.schedule != nil {
            let key = FakeFaultSchedule.fnv1a(request.body)
            attempt = state.attemptsByBody[key, default: 0]
            state.attemptsByBody[key] = attempt + 1
        }
        if let chatIndex = request.chatIndex, let fault = state.faultsByIndex.removeValue(forKey: chatIndex) {
            return fault
        }
        if let position = state.predicateFaults.firstIndex(where: { $0.predicate(request) }) {
            let fault = state.predicateFaults[position].fault
            state.predicateFaults[position].remaining -= 1
            if state.predicateFaults[position].remaining <= 0 { state.predicateFaults.remove(at: position) }
            return fault
        }
        if request.chatIndex != nil, !state.faultQueue.isEmpty { return state.faultQueue.removeFirst() }
        if request.chatIndex != nil, let schedule = state.schedule {
            return schedule.fault(body: request.body, attempt: attempt)
        }
        return nil
    }

    /// Notes that a complete successful answer (with this usage) went out for request `index`.
    func delivered(_ index: Int, usage: FakeUsage) {
        state.withLock { $0.deliveredUsage[index] = usage }
    }

    /// Notes an event on the timeline, when the options ask for one.
    func note(_ kind: FakeTimelineEvent.Kind, request: Int? = nil) {
        guard options.recordsTimeline else { return }
        let event = FakeTimelineEvent(kind: kind, request: request, at: FakeTimelineEvent.now())
        state.withLock { $0.timeline.append(event) }
    }

    /// Notes that request `index` lost its connection before its answer was complete.
    func abandoned(_ index: Int) {
        state.withLock { _ = $0.abandoned.insert(index) }
    }

    var responder: (@Sendable (ReceivedRequest) -> FakeResponse)? { state.withLock { $0.responder } }

    /// Registers a new connection; false when the server is stopping or at its connection limit.
    func connectionOpened(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.stopping, state.connections.count < options.maximumConnections else { return false }
            state.connections[ObjectIdentifier(channel)] = channel
            state.connectionCount += 1
            state.peakConnectionCount = max(state.peakConnectionCount, state.connections.count)
            if options.recordsTimeline {
                state.timeline.append(FakeTimelineEvent(kind: .connected, request: nil, at: FakeTimelineEvent.now()))
            }
            return true
        }
    }

    func connectionClosed(_ channel: any Channel) {
        state.withLock { state in
            if state.connections.removeValue(forKey: ObjectIdentifier(channel)) != nil {
                state.closedConnectionCount += 1
            }
        }
    }
}
