/// An incremental parser for Server-Sent Events (the WHATWG `text/event-stream` format), written by hand
/// because the Swift SSE libraries do not build on Linux.
///
/// Feed it bytes as they arrive, in chunks of any size: a line, a CRLF pair or a UTF-8 character may
/// be split between chunks. Lines end with LF, CRLF or CR; `:` starts a comment; a field name without
/// a colon has an empty value; one space after the colon is dropped; several `data:` lines join with
/// `\n`; a blank line dispatches the event. An event with no data is not dispatched (as in browsers).
public struct ServerSentEventParser: Sendable {
    /// The longest line accepted, in bytes. Longer lines fail with ``Failure/lineTooLong``.
    public let maximumLineLength: Int
    /// The largest `data` of one event, in bytes.
    public let maximumEventSize: Int

    private var line: [UInt8] = []
    private var afterCR = false
    private var data: [UInt8] = []
    private var hasData = false
    private var event: String?
    private var id: String?
    private var sawBOMCheck = false

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case lineTooLong(limit: Int)
        case eventTooLarge(limit: Int)

        public var description: String {
            switch self {
            case .lineTooLong(let limit): "an event-stream line is longer than \(limit) bytes"
            case .eventTooLarge(let limit): "an event is larger than \(limit) bytes"
            }
        }
    }

    public init(maximumLineLength: Int = 4 << 20, maximumEventSize: Int = 16 << 20) {
        self.maximumLineLength = maximumLineLength
        self.maximumEventSize = maximumEventSize
    }

    /// Parses `bytes` and returns the events completed by them, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(Failure) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if let event = try endLine() { events.append(event) }
            case UInt8(ascii: "\r"):
                afterCR = true
                if let event = try endLine() { events.append(event) }
            default:
                guard line.count < maximumLineLength else { throw .lineTooLong(limit: maximumLineLength) }
                line.append(byte)
            }
        }
        return events
    }

    /// Parses a string (convenience for tests and callers that already hold text).
    public mutating func feed(_ text: String) throws(Failure) -> [ServerSentEvent] {
        try feed(Array(text.utf8))
    }

    /// Ends the stream. An unterminated final event is discarded, as the format requires; the return
    /// value says whether anything was pending (a partial line or an undispatched event), which for a
    /// Chat Completions stream means it was cut.
    public mutating func finish() -> Bool {
        let pending = !line.isEmpty || hasData
        line.removeAll()
        data.removeAll()
        hasData = false
        event = nil
        afterCR = false
        return pending
    }

    private mutating func endLine() throws(Failure) -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if !sawBOMCheck {
            sawBOMCheck = true
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            name = line[...]
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(UInt8(ascii: "\n")) }
            data.append(contentsOf: value)
            hasData = true
            guard data.count <= maximumEventSize else { throw .eventTooLarge(limit: maximumEventSize) }
        case "event":
            event = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        default:
            break  // `retry` and unknown fields are ignored.
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            event = nil
        }
        guard hasData else { return nil }
        return ServerSentEvent(event: event, data: String(decoding: data, as: UTF8.self), id: id)
    }
}
