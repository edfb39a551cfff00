import Foundation

/// Run ids sort by time and stay unique: `20261122-053200-7f3a`.
public enum RunID {
    public static func make(date: Date, random: UInt16 = UInt16.random(in: 0...UInt16.max)) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d-%04x", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, random)
    }

    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Ids are folder names: no separators, no dots at the start.
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && !id.hasPrefix(".") && id.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}
