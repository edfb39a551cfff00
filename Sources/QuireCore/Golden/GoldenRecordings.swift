/// One model exchange kept beside the goldens: the canonical request and the answer.
public struct RecordedExchange: Sendable, Hashable {
    /// The step (and fan-out item) that sent it, for messages and for accepting one step at a time.
    public var step: String
    public var item: Int?
    /// The request in canonical form (``ChatRequest/canonicalValue``): model, messages and parameters,
    /// never headers or keys.
    public var request: Value
    public var response: RecordedResponse

    public init(step: String, item: Int?, request: Value, response: RecordedResponse) {
        self.step = step
        self.item = item
        self.request = request
        self.response = response
    }

    /// The replay key: SHA-256 of the request's compact canonical JSON, equal to ``ChatRequest/hash``.
    public var requestSHA256: String { ContentHash.sha256(JSONText.encode(request, pretty: false)) }

    /// `plan`, `sections[2]`.
    public var label: String { item.map { "\(step)[\($0)]" } ?? step }
}

/// A recorded answer.
public struct RecordedResponse: Sendable, Hashable {
    public var content: String
    public var finishReason: String?
    /// The model that answered, as the backend named it.
    public var model: String
    public var usage: Usage?

    public init(content: String, finishReason: String?, model: String, usage: Usage?) {
        self.content = content
        self.finishReason = finishReason
        self.model = model
        self.usage = usage
    }
}

/// `golden.recordings.json`: the model exchanges of one case, replayed by `quire test` so that a
/// regression run needs no model and no network.
public struct GoldenRecordings: Sendable, Hashable {
    public static let fileName = "golden.recordings.json"
    public static let formatVersion = 1

    /// In step order, then item order.
    public var exchanges: [RecordedExchange]

    public init(exchanges: [RecordedExchange] = []) { self.exchanges = exchanges }

    /// Exchanges by ``RecordedExchange/requestSHA256``; the first wins when two items sent the same request.
    public var index: [String: RecordedExchange] {
        var index: [String: RecordedExchange] = [:]
        for exchange in exchanges where index[exchange.requestSHA256] == nil { index[exchange.requestSHA256] = exchange }
        return index
    }

    /// The recorded request a rendered one should be compared with after a replay miss: the same
    /// step and item, else the most similar request of the same step; nil when the step has none.
    public func closest(to request: Value, step: String, item: Int?) -> RecordedExchange? {
        let candidates = exchanges.filter { $0.step == step }
        if let same = candidates.first(where: { $0.item == item }) { return same }
        let text = RequestTranscript.text(request)
        return candidates.max { a, b in
            TextSimilarity.words(text, RequestTranscript.text(a.request)).ratio < TextSimilarity.words(text, RequestTranscript.text(b.request)).ratio
        }
    }

    /// The exchanges of other steps kept, those of `steps` replaced by `replacements`, sorted by `order`.
    public func replacing(steps: Set<String>, with replacements: [RecordedExchange], order: [String]) -> GoldenRecordings {
        let kept = exchanges.filter { !steps.contains($0.step) }
        return GoldenRecordings(exchanges: Self.sorted(kept + replacements, order: order))
    }

    /// Exchanges sorted by the step's position in `order` (unknown steps last, by name), then item.
    public static func sorted(_ exchanges: [RecordedExchange], order: [String]) -> [RecordedExchange] {
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return exchanges.sorted { a, b in
            let pa = position[a.step] ?? Int.max, pb = position[b.step] ?? Int.max
            if pa != pb { return pa < pb }
            if a.step != b.step { return a.step < b.step }
            return (a.item ?? 0) < (b.item ?? 0)
        }
    }

    public var value: Value {
        [
            "format_version": .int(Self.formatVersion),
            "exchanges": .list(exchanges.map { exchange in
                var response: [String: Value] = [
                    "content": .string(exchange.response.content),
                    "finish_reason": exchange.response.finishReason.map(Value.string) ?? .null,
                    "model": .string(exchange.response.model),
                ]
                if let usage = exchange.response.usage { response["usage"] = usage.value }
                var object: [String: Value] = [
                    "step": .string(exchange.step),
                    "request_sha256": .string(exchange.requestSHA256),
                    "request": exchange.request,
                    "response": .object(response),
                ]
                if let item = exchange.item { object["item"] = .int(item) }
                return .object(object)
            }),
        ]
    }

    public var json: String { JSONText.encode(value, pretty: true) + "\n" }

    /// Reads `golden.recordings.json`. The replay key is computed from each request, so a hand-edited
    /// request is looked up by what it now says.
    public init(json text: String) throws(ManifestError) {
        let value: Value
        do { value = try JSONText.decode(text) } catch { throw ManifestError("not valid JSON: \(error)") }
        guard let object = value.objectValue, let list = object["exchanges"]?.listValue else {
            throw ManifestError("expected an object with an 'exchanges' list")
        }
        if case .int(let version) = object["format_version"], version > Self.formatVersion {
            throw ManifestError("format version \(version) is newer than this Quire understands (\(Self.formatVersion))")
        }
        var exchanges: [RecordedExchange] = []
        for (index, entry) in list.enumerated() {
            guard let fields = entry.objectValue, let step = fields["step"]?.stringValue, let request = fields["request"],
                  request.objectValue != nil, let response = fields["response"]?.objectValue,
                  let content = response["content"]?.stringValue
            else { throw ManifestError("exchange \(index + 1) needs 'step', 'request' and 'response.content'") }
            var item: Int?
            if case .int(let number) = fields["item"] { item = number }
            exchanges.append(RecordedExchange(
                step: step, item: item, request: request,
                response: RecordedResponse(
                    content: content, finishReason: response["finish_reason"]?.stringValue,
                    model: response["model"]?.stringValue ?? "", usage: response["usage"].map { Usage(value: $0) })))
        }
        self.exchanges = exchanges
    }
}
