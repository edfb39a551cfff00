/// Line helpers that treat `\n`, `\r\n` and a lone `\r` as line breaks.
public enum TextLines {
    /// Splits text into lines without their terminators. A trailing line break does not add an empty line.
    public static func split(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        var pendingCR = false
        while let scalar = iterator.next() {
            if pendingCR {
                pendingCR = false
                if scalar == "\n" { continue }
            }
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
                pendingCR = scalar == "\r"
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// The 1-based line `number` of `text`, if it exists.
    public static func line(_ number: Int, of text: String) -> String? {
        guard number >= 1 else { return nil }
        let lines = split(text)
        return number <= lines.count ? lines[number - 1] : (number == lines.count + 1 ? "" : nil)
    }

    /// Normalizes `\r\n` and `\r` to `\n`.
    public static func normalizingNewlines(_ text: String) -> String {
        guard text.unicodeScalars.contains("\r") else { return text }
        var out = String.UnicodeScalarView()
        var previousCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                previousCR = true
                continue
            }
            if scalar == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            out.append(scalar)
        }
        return String(out)
    }
}
