/// Splits template source into text and tags and tokenizes the inside of tags, in one linear pass.
///
/// `{% raw %}` bodies come out as a single text piece. Errors are collected (at most one per tag) and
/// lexing continues, so the parser can report further problems.
struct TemplateLexer {
    struct Text {
        /// Scalar offsets into the source; whitespace processing moves them inwards.
        var start: Int
        var end: Int
        /// The body of a `{% raw %}` block.
        var isRaw = false
    }

    struct Tag {
        enum Kind { case output, block, comment }

        var kind: Kind
        /// Position of the opening delimiter.
        var position: TemplatePosition
        /// `{{-`, `{%-`, `{#-`: strip all whitespace before the tag.
        var trimBefore = false
        /// `-}}`, `-%}`, `-#}`: strip all whitespace after the tag.
        var trimAfter = false
        /// The tokens between the delimiters, always ending with `.end`.
        var tokens: [TemplateToken] = []
        /// `{% raw %}` or `{% endraw %}` that the lexer already handled.
        var isRawDelimiter = false
        /// A lexing error was reported for this tag; the parser keeps its structure but reports nothing more.
        var isBroken = false
    }

    enum Piece {
        case text(Text)
        case tag(Tag)
    }

    let scalars: [Unicode.Scalar]
    let file: String
    private(set) var pieces: [Piece] = []
    private(set) var diagnostics: [Diagnostic] = []
    private var index = 0
    private var line: Int
    private var column = 1

    init(scalars: [Unicode.Scalar], file: String, lineOffset: Int) {
        self.scalars = scalars
        self.file = file
        self.line = max(0, lineOffset) + 1
    }

    /// The current position; after `tokenize()` the end of the template.
    var position: TemplatePosition { TemplatePosition(line: line, column: column) }

    mutating func tokenize() {
        var textStart = 0
        while index < scalars.count {
            if scalars[index] == "{", let next = peek(1), next == "{" || next == "%" || next == "#" {
                appendText(from: textStart, to: index)
                switch next {
                case "{": lexTag(.output)
                case "%": lexTag(.block)
                default: lexComment()
                }
                textStart = index
            } else {
                advance()
            }
        }
        appendText(from: textStart, to: index)
    }

    // MARK: - Cursor

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = index + offset
        return i < scalars.count ? scalars[i] : nil
    }

    /// Moves past one scalar, counting `\n`, `\r\n` and a lone `\r` as one line break.
    private mutating func advance() {
        let scalar = scalars[index]
        index += 1
        switch scalar {
        case "\r":
            line += 1
            column = 1
        case "\n":
            if index >= 2, scalars[index - 2] == "\r" { break }
            line += 1
            column = 1
        default:
            column += 1
        }
    }

    private mutating func advance(_ count: Int) {
        for _ in 0..<count { advance() }
    }

    private mutating func skipWhitespace() {
        while let scalar = peek(), Self.isWhitespace(scalar) { advance() }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r": return true
        default: return scalar.value > 0x7F && scalar.properties.isWhitespace
        }
    }

    private mutating func appendText(from start: Int, to end: Int, isRaw: Bool = false) {
        if start < end || isRaw { pieces.append(.text(Text(start: start, end: end, isRaw: isRaw))) }
    }

    private mutating func report(_ message: String, at position: TemplatePosition, notes: [String] = []) {
        record(TemplateDiagnostics.error(TemplateDiagnostics.syntax, message, at: position, in: file, notes: notes))
    }

    /// Keeps at most `TemplateLimits.maxErrors` diagnostics, so hostile input cannot flood memory.
    private mutating func record(_ diagnostic: Diagnostic) {
        if diagnostics.count < TemplateLimits.maxErrors { diagnostics.append(diagnostic) }
    }

    // MARK: - Tags

    private mutating func lexTag(_ kind: Tag.Kind) {
        let open = position
        let opener = kind == .output ? "{{" : "{%"
        let closer = kind == .output ? "}}" : "%}"
        let closeScalar: Unicode.Scalar = kind == .output ? "}" : "%"
        advance(2)
        var tag = Tag(kind: kind, position: open)
        if peek() == "-" {
            tag.trimBefore = true
            advance()
        }
        var firstError: Diagnostic?
        while true {
            skipWhitespace()
            guard let scalar = peek() else {
                // End of template inside the tag. An unterminated string literal explains it best.
                if let firstError, firstError.message == Self.unterminatedString {
                    record(firstError)
                } else {
                    report("unterminated '\(opener)'", at: open, notes: ["expected '\(closer)' to close it"])
                }
                tag.isBroken = true
                tag.tokens.append(TemplateToken(kind: .end, position: position))
                pieces.append(.tag(tag))
                return
            }
            if scalar == "-", peek(1) == closeScalar, peek(2) == "}" {
                tag.trimAfter = true
                tag.tokens.append(TemplateToken(kind: .end, position: position))
                advance(3)
                break
            }
            if scalar == closeScalar, peek(1) == "}" {
                tag.tokens.append(TemplateToken(kind: .end, position: position))
                advance(2)
                break
            }
            if scalar == "{", let next = peek(1), next == "{" || next == "%" || next == "#" {
                // A new tag starts before this one ended: report it and resume lexing at the new tag.
                report("unterminated '\(opener)'", at: open, notes: ["expected '\(closer)' before the next tag"])
                tag.isBroken = true
                tag.tokens.append(TemplateToken(kind: .end, position: position))
                pieces.append(.tag(tag))
                return
            }
            if let error = lexToken(into: &tag.tokens) {
                if firstError == nil { firstError = error }
                tag.isBroken = true
            }
        }
        if let firstError { record(firstError) }
        if kind == .block, !tag.isBroken, tag.tokens.count == 2, tag.tokens[0].kind == .name("raw") {
            tag.isRawDelimiter = true
            pieces.append(.tag(tag))
            lexRawBody(openedAt: open)
            return
        }
        pieces.append(.tag(tag))
    }

    /// Scans to the matching `{% endraw %}`; everything in between is text.
    private mutating func lexRawBody(openedAt open: TemplatePosition) {
        let bodyStart = index
        while index < scalars.count {
            guard scalars[index] == "{", peek(1) == "%" else {
                advance()
                continue
            }
            let saved = (index, line, column)
            let tagStart = index
            let tagPosition = position
            advance(2)
            var tag = Tag(kind: .block, position: tagPosition, isRawDelimiter: true)
            if peek() == "-" {
                tag.trimBefore = true
                advance()
            }
            skipWhitespace()
            let namePosition = position
            if matches("endraw"), let after = peek(6), !Self.isIdentifierContinue(after) {
                advance(6)
                skipWhitespace()
                if peek() == "-", peek(1) == "%", peek(2) == "}" {
                    tag.trimAfter = true
                    advance()
                }
                if peek() == "%", peek(1) == "}" {
                    tag.tokens = [
                        TemplateToken(kind: .name("endraw"), position: namePosition),
                        TemplateToken(kind: .end, position: position),
                    ]
                    advance(2)
                    appendText(from: bodyStart, to: tagStart, isRaw: true)
                    pieces.append(.tag(tag))
                    return
                }
            }
            (index, line, column) = saved
            advance()
        }
        report("unexpected end of template: '{% raw %}' opened at \(open) is not closed", at: position)
        appendText(from: bodyStart, to: index, isRaw: true)
    }

    private func matches(_ word: String) -> Bool {
        var i = index
        for scalar in word.unicodeScalars {
            guard i < scalars.count, scalars[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    private mutating func lexComment() {
        let open = position
        advance(2)
        var tag = Tag(kind: .comment, position: open)
        if peek() == "-" {
            tag.trimBefore = true
            advance()
        }
        let contentStart = index
        while index < scalars.count {
            if scalars[index] == "#", peek(1) == "}" {
                if index > contentStart, scalars[index - 1] == "-" { tag.trimAfter = true }
                tag.tokens = [TemplateToken(kind: .end, position: position)]
                advance(2)
                pieces.append(.tag(tag))
                return
            }
            advance()
        }
        report("unterminated '{#'", at: open, notes: ["expected '#}' to close it"])
        tag.isBroken = true
        tag.tokens = [TemplateToken(kind: .end, position: position)]
        pieces.append(.tag(tag))
    }

    // MARK: - Tokens

    static let unterminatedString = "unterminated string literal"

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
        }
        return scalar.properties.isAlphabetic
    }

    static func isIdentifierContinue(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    /// `==`, `!=`, `<=`, `>=` for the first character.
    private static func comparisonSymbol(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "=": "=="
        case "!": "!="
        case "<": "<="
        case ">": ">="
        default: nil
        }
    }

    private static func symbol(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "+": "+"
        case "-": "-"
        case "*": "*"
        case "/": "/"
        case "%": "%"
        case "~": "~"
        case "|": "|"
        case "(": "("
        case ")": ")"
        case "[": "["
        case "]": "]"
        case ",": ","
        case ".": "."
        case "=": "="
        case "<": "<"
        case ">": ">"
        default: nil
        }
    }

    /// Lexes one token; returns an error (and skips the offending input) if there is none.
    private mutating func lexToken(into tokens: inout [TemplateToken]) -> Diagnostic? {
        let start = position
        let scalar = scalars[index]
        if Self.isIdentifierStart(scalar) {
            var name = String.UnicodeScalarView()
            while let next = peek(), Self.isIdentifierContinue(next) {
                name.append(next)
                advance()
            }
            tokens.append(TemplateToken(kind: .name(String(name)), position: start))
            return nil
        }
        if Self.isDigit(scalar) { return lexNumber(into: &tokens) }
        if scalar == "'" || scalar == "\"" { return lexString(into: &tokens) }
        if peek(1) == "=", let symbol = Self.comparisonSymbol(scalar) {
            tokens.append(TemplateToken(kind: .symbol(symbol), position: start))
            advance(2)
            return nil
        }
        if let symbol = Self.symbol(scalar) {
            tokens.append(TemplateToken(kind: .symbol(symbol), position: start))
            advance()
            return nil
        }
        advance()
        return TemplateDiagnostics.error(
            TemplateDiagnostics.syntax, "unexpected character \(Self.describe(scalar))", at: start, in: file)
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
            || scalar.properties.generalCategory == .format
        {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "'\(scalar)'"
    }

    private mutating func lexNumber(into tokens: inout [TemplateToken]) -> Diagnostic? {
        let start = position
        var text = ""
        var isDouble = false
        readDigits(into: &text)
        if peek() == ".", let d = peek(1), Self.isDigit(d) {
            isDouble = true
            text += "."
            advance()
            readDigits(into: &text)
        }
        if let e = peek(), e == "e" || e == "E" {
            var offset = 1
            if let sign = peek(1), sign == "+" || sign == "-" { offset = 2 }
            if let d = peek(offset), Self.isDigit(d) {
                isDouble = true
                for _ in 0..<offset {
                    text.unicodeScalars.append(peek()!)
                    advance()
                }
                readDigits(into: &text)
            }
        }
        if isDouble, let value = Double(text), value.isFinite {
            tokens.append(TemplateToken(kind: .number(value), position: start))
            return nil
        }
        if !isDouble, let value = Int(text) {
            tokens.append(TemplateToken(kind: .integer(value), position: start))
            return nil
        }
        let shown = text.count > 30 ? String(text.prefix(30)) + "…" : text
        return TemplateDiagnostics.error(
            TemplateDiagnostics.syntax, "number \(shown) is too large", at: start, in: file)
    }

    private mutating func readDigits(into text: inout String) {
        while let d = peek(), Self.isDigit(d) {
            text.unicodeScalars.append(d)
            advance()
        }
    }

    private mutating func lexString(into tokens: inout [TemplateToken]) -> Diagnostic? {
        let start = position
        let quote = scalars[index]
        advance()
        var value = String.UnicodeScalarView()
        var escapeError: Diagnostic?
        while let scalar = peek() {
            if scalar == quote {
                advance()
                tokens.append(TemplateToken(kind: .string(String(value)), position: start))
                return escapeError
            }
            if scalar == "\\" {
                let escapePosition = position
                advance()
                guard let escaped = peek() else { break }
                switch escaped {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "r": value.append("\r")
                case "\\", "'", "\"": value.append(escaped)
                default:
                    if escapeError == nil {
                        escapeError = TemplateDiagnostics.error(
                            TemplateDiagnostics.syntax, "unknown escape sequence '\\\(escaped)'",
                            at: escapePosition, in: file,
                            notes: ["known escapes: \\\\ \\' \\\" \\n \\t \\r"])
                    }
                }
                advance()
                continue
            }
            value.append(scalar)
            advance()
        }
        return TemplateDiagnostics.error(TemplateDiagnostics.syntax, Self.unterminatedString, at: start, in: file)
    }
}
