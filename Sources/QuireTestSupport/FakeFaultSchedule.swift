/// A seeded, reproducible mix of faults for chat requests that no other script covers.
///
/// Whether a request is faulted, and with which fault, depends only on the seed, the request body and
/// how many times the server has seen that exact body before (its attempt number). So the same run
/// with the same seed meets the same faults on the same calls, whatever order concurrent requests
/// arrive in, and a failing test can print its seed to be replayed.
public struct FakeFaultSchedule: Sendable, Hashable {
    public var seed: UInt64
    /// The share of chat requests faulted, 0…1.
    public var rate: Double
    /// The faults to choose from, uniformly.
    public var faults: [FakeFault]

    public init(seed: UInt64, rate: Double, faults: [FakeFault] = FakeFaultSchedule.transient) {
        self.seed = seed
        self.rate = rate
        self.faults = faults
    }

    /// Every failure a client should retry: 429 with and without `Retry-After`, 500/502/503, a stall
    /// (past a short read timeout), a dropped connection, streams and bodies cut short, malformed JSON
    /// and SSE, and the wrong content type.
    public static let transient: [FakeFault] = [
        .rateLimited(retryAfter: nil), .rateLimited(retryAfter: "1"), .serverError(500), .serverError(502),
        .serverError(503), .stall(.seconds(2)), .closeConnection, .cutStream(afterChunks: 2),
        .cutStream(afterChunks: 0), .malformedJSON, .malformedSSE, .wrongContentType,
    ]

    /// The fault for the `attempt`-th (0-based) request with this body, or nil to answer normally.
    public func fault(body: String, attempt: Int) -> FakeFault? {
        guard !faults.isEmpty, rate > 0 else { return nil }
        var generator = SplitMix64(seed: seed ^ Self.fnv1a(body) ^ (UInt64(attempt) &* 0x9E37_79B9_7F4A_7C15))
        let roll = Double(generator.next() >> 11) / Double(1 << 53)
        guard roll < rate else { return nil }
        return faults[Int(generator.next() % UInt64(faults.count))]
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

/// SplitMix64: a small, fast, seedable generator (the same sequence on every platform).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (0 when `bound` ≤ 0). The slight modulo bias does not matter for tests.
    public mutating func next(below bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
