/// Where back-off jitter comes from. Injected so tests can use a seeded, reproducible sequence.
public struct RandomSource: Sendable {
    private let nextValue: @Sendable () -> UInt64

    /// A source that calls `next` for each 64 random bits.
    public init(_ next: @escaping @Sendable () -> UInt64) { self.nextValue = next }

    /// The system's random number generator.
    public static var system: RandomSource {
        RandomSource { UInt64.random(in: .min ... .max) }
    }

    /// A reproducible sequence (SplitMix64), safe to share between tasks.
    public static func seeded(_ seed: UInt64) -> RandomSource {
        let state = LockedState(seed)
        return RandomSource {
            state.withLock { s in
                s &+= 0x9E37_79B9_7F4A_7C15
                var z = s
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }
    }

    /// A source that always yields `fraction` (clamped to 0...1) from ``unitInterval()``; for tests.
    public static func constant(_ fraction: Double) -> RandomSource {
        let clamped = min(1, max(0, fraction))
        let bits = UInt64(clamped * Double((1 << 53) - 1)) << 11
        return RandomSource { bits }
    }

    public func next() -> UInt64 { nextValue() }

    /// A number in the closed interval 0...1.
    public func unitInterval() -> Double {
        Double(next() >> 11) / Double((1 << 53) - 1)
    }
}
