import Foundation

/// Run ids sort by time and stay unique: `20261122-053200-7f3a1c`.
///
/// The last part is 24 random bits. Runs started in the same second by separate processes (a CI matrix,
/// a shell loop with `&`) share the rest; with 16 bits, two of twenty such runs got the same id about
/// once in 350 tries — the history keeps one row per id, so one of them vanished from it.
/// With 24 bits that is once in 90,000 tries of twenty in one second, and a new run never takes the
/// id of a run folder that is already there.
public enum RunID {
    /// Random values are below this: six hex digits.
    public static let randomLimit: UInt32 = 1 << 24

    public static func make(date: Date, random: UInt32 = UInt32.random(in: 0..<randomLimit)) -> String {
        // gmtime_r, not Calendar: a Gregorian calendar loads the local time zone through ICU first
        // (milliseconds of a run's start-up, before its first request).
        let parts = utc(Int64(date.timeIntervalSince1970.rounded(.down)))
        let hex = String(random % randomLimit, radix: 16)
        return "\(pad(parts.tm_year + 1900, 4))\(pad(parts.tm_mon + 1, 2))\(pad(parts.tm_mday, 2))-"
            + "\(pad(parts.tm_hour, 2))\(pad(parts.tm_min, 2))\(pad(parts.tm_sec, 2))-"
            + String(repeating: "0", count: 6 - hex.count) + hex
    }

    private static func utc(_ whole: Int64) -> tm {
        var seconds = time_t(whole)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    private static func pad(_ value: some BinaryInteger, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `2026-11-22T09:30:15.123Z`: ISO 8601 in UTC with milliseconds. Formatted by hand — it is taken
    /// several times per step, and a new ISO8601DateFormatter costs more than the rest of a step's bookkeeping.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let whole = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let parts = utc(whole)
        let fraction = pad(milliseconds - whole * 1000, 3)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(fraction)Z"
    }

    /// Ids are folder names: no separators, no dots at the start.
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && !id.hasPrefix(".") && id.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
