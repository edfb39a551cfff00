import QuireProviders
import Testing

@Suite("Server-Sent Events parser")
struct ServerSentEventParserTests {
    private func parse(_ text: String) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        return try parser.feed(text)
    }

    @Test("data lines become events at blank lines")
    func basic() throws {
        #expect(try parse("data: one\n\ndata: two\n\n") == [ServerSentEvent(data: "one"), ServerSentEvent(data: "two")])
    }

    @Test("several data lines join with a newline")
    func multiLine() throws {
        #expect(try parse("data: first\ndata: second\ndata:\ndata: fourth\n\n") == [
            ServerSentEvent(data: "first\nsecond\n\nfourth")
        ])
    }

    @Test("CRLF, CR and LF all end lines", arguments: ["\r\n", "\r", "\n"])
    func lineEndings(ending: String) throws {
        let text = "data: a\(ending)data: b\(ending)\(ending): note\(ending)data: c\(ending)\(ending)"
        #expect(try parse(text) == [ServerSentEvent(data: "a\nb"), ServerSentEvent(data: "c")])
    }

    @Test("comments, unknown fields and retry are ignored; event and id are kept")
    func fields() throws {
        let text = ": keep-alive\nretry: 100\nfoo: bar\nevent: delta\nid: 7\ndata: x\n\n: ping\n\n"
        #expect(try parse(text) == [ServerSentEvent(event: "delta", data: "x", id: "7")])
    }

    @Test("only one space after the colon is dropped; no colon means an empty value")
    func spacing() throws {
        #expect(try parse("data:tight\n\ndata:  two spaces\n\ndata\n\n") == [
            ServerSentEvent(data: "tight"), ServerSentEvent(data: " two spaces"), ServerSentEvent(data: ""),
        ])
    }

    @Test("an event without data is not dispatched")
    func noData() throws {
        #expect(try parse("event: ping\n\n\n\n").isEmpty)
    }

    @Test("the result is the same however the bytes are split into chunks")
    func chunkBoundaries() throws {
        let text =
            "data: {\"choices\": [{\"delta\": {\"content\": \"héllo → 🌍\"}}]}\r\n\r\n: c\r\ndata: line1\r\ndata: line2\r\n\r\ndata: [DONE]\r\n\r\n"
        let bytes = Array(text.utf8)
        let whole = try parse(text)
        #expect(whole.count == 3)
        #expect(whole.last?.data == "[DONE]")
        for size in 1...9 {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var index = 0
            while index < bytes.count {
                events += try parser.feed(bytes[index..<min(index + size, bytes.count)])
                index += size
            }
            #expect(events == whole, "chunk size \(size)")
        }
        // Every single split point, including inside "\r\n" and inside multi-byte characters.
        for split in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = try parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(events == whole, "split at \(split)")
        }
    }

    @Test("finish reports an unterminated event, which is discarded")
    func finish() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed("data: complete\n\ndata: partial").count == 1)
        let pending = parser.finish()
        #expect(pending)
        var clean = ServerSentEventParser()
        _ = try clean.feed("data: complete\n\n")
        let cleanPending = clean.finish()
        #expect(!cleanPending)
    }

    @Test("a leading byte-order mark is skipped")
    func byteOrderMark() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed([0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)) == [ServerSentEvent(data: "x")])
    }

    @Test("an overlong line fails instead of growing without bound")
    func lineLimit() {
        var parser = ServerSentEventParser(maximumLineLength: 16)
        #expect(throws: ServerSentEventParser.Failure.lineTooLong(limit: 16)) {
            try parser.feed("data: " + String(repeating: "x", count: 32))
        }
    }
}
