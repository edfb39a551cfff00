/// Reads the ISO 8601 timestamps manifests hold (`2026-11-22T09:30:15.123Z`, or with a `+02:00` offset)
/// without a calendar or a clock: plain arithmetic, so the core stays pure.
public enum ISOTimestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z, or nil when `text` is not such a timestamp.
    /// A date alone (`2026-11-22`) is midnight UTC.
    public static func milliseconds(_ text: String) -> Int? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var n = 0
            for c in chars[from..<from + count] {
                guard c >= 48 && c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard let year = number(0, 4), chars.count >= 10, chars[4] == 45, let month = number(5, 2), chars[7] == 45,
              let day = number(8, 2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var millis = days(year: year, month: month, day: day) * 86_400_000
        guard chars.count > 10 else { return millis }
        guard chars[10] == 84 || chars[10] == 116 || chars[10] == 32, let hour = number(11, 2), chars.count > 13, chars[13] == 58,
              let minute = number(14, 2), hour < 24, minute < 60 else { return nil }
        millis += (hour * 60 + minute) * 60_000
        var index = 16
        if index < chars.count, chars[index] == 58 {
            guard let second = number(17, 2), second < 61 else { return nil }
            millis += second * 1000
            index = 19
            if index < chars.count, chars[index] == 46 || chars[index] == 44 {
                index += 1
                var fraction = 0, digits = 0
                while index < chars.count, chars[index] >= 48 && chars[index] <= 57 {
                    if digits < 3 { fraction = fraction * 10 + Int(chars[index] - 48); digits += 1 }
                    index += 1
                }
                guard digits > 0 else { return nil }
                while digits < 3 { fraction *= 10; digits += 1 }
                millis += fraction
            }
        }
        guard index < chars.count else { return millis }  // no zone: UTC
        switch chars[index] {
        case 90, 122:  // Z
            return index + 1 == chars.count ? millis : nil
        case 43, 45:  // + or -
            guard index + 6 == chars.count, let h = number(index + 1, 2), chars[index + 3] == 58, let m = number(index + 4, 2) else { return nil }
            let offset = (h * 60 + m) * 60_000
            return chars[index] == 43 ? millis - offset : millis + offset
        default:
            return nil
        }
    }

    /// The days of `month` (1–12) in `year` of the proleptic Gregorian calendar.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `2026-11-22T09:30:15.000Z` for milliseconds since 1970 (the form manifests use, so the two compare as text).
    public static func string(milliseconds: Int) -> String {
        let days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        let rest = milliseconds - days * 86_400_000
        // Howard Hinnant's `civil_from_days`.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3_600_000, 2)):\(pad(rest / 60_000 % 60, 2)):"
            + "\(pad(rest / 1000 % 60, 2)).\(pad(rest % 1000, 3))Z"
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
