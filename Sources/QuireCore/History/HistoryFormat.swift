/// How `quire runs`, `show` and `stats` print numbers and tables.
public enum HistoryFormat {
    /// `0.42s`, `12.3s`, `2m05s`, `1h02m`; `—` for unknown.
    public static func duration(milliseconds: Int?) -> String {
        guard let ms = milliseconds else { return "—" }
        if ms < 10_000 { return String(format2(Double(ms) / 1000)) + "s" }
        if ms < 60_000 { return String(format1(Double(ms) / 1000)) + "s" }
        let seconds = ms / 1000
        if seconds < 3600 { return "\(seconds / 60)m\(pad2(seconds % 60))s" }
        return "\(seconds / 3600)h\(pad2(seconds / 60 % 60))m"
    }

    /// As `quire run`'s summary says it (``RunBudget/dollars(_:)``): `$0` for nothing, enough digits to
    /// tell small amounts apart (`$0.00002715`, `$0.0123`); `—` when unknown. A `+` marks a sum that
    /// leaves out calls of unknown cost.
    public static func cost(_ usd: Double?, unknownCalls: Int = 0) -> String {
        guard let usd else { return "—" }
        let text = RunBudget.dollars(usd)
        return unknownCalls > 0 ? text + "+" : text
    }

    /// `2026-11-22 09:30:15` from an ISO 8601 timestamp (UTC as recorded).
    public static func time(_ iso: String) -> String {
        guard iso.count >= 19 else { return iso }
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8))
    }

    /// Columns padded to their widest cell; `right` columns (by index) are right-aligned. Lines have no trailing spaces.
    public static func table(_ rows: [[String]], right: Set<Int> = [], indent: String = "") -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            var line = indent
            for (i, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[i] - cell.count)
                line += i == 0 ? "" : "  "
                line += right.contains(i) ? padding + cell : cell + padding
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    static func format2(_ d: Double) -> String { fixed(d, 2) }
    static func format1(_ d: Double) -> String { fixed(d, 1) }

    /// `d` with exactly `decimals` digits after the point, rounded half away from zero.
    static func fixed(_ d: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(d) * scale).rounded())
        let whole = scaled / Int(scale)
        var fraction = String(scaled % Int(scale))
        while fraction.count < decimals { fraction = "0" + fraction }
        return (d < 0 && scaled != 0 ? "-" : "") + String(whole) + (decimals > 0 ? "." + fraction : "")
    }
}
