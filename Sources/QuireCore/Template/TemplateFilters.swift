/// The filters a template can apply with `value | name(arguments)`.
///
/// Filters are strict about their input: `upper` on a list or `join` on a string is a
/// `template.type-error`, and a bad argument is a `template.filter-argument`. Unknown filters and
/// wrong argument counts or names are reported when the template is parsed.
public enum TemplateFilters {
    /// The documented filter names, sorted; for validation and docs.
    public static let names: [String] = signatures.map(\.name).sorted()

    struct Parameter: Sendable {
        var name: String
        /// nil: the argument is required.
        var defaultValue: Value?
    }

    struct Signature: Sendable {
        var name: String
        var parameters: [Parameter]
        /// The filter walks every element of a list or object input (charged to the render's work budget).
        var walksInput = false

        init(_ name: String, _ parameters: [Parameter] = [], walksInput: Bool = false) {
            self.name = name
            self.parameters = parameters
            self.walksInput = walksInput
        }
    }

    private static func required(_ name: String) -> Parameter { Parameter(name: name, defaultValue: nil) }
    private static func optional(_ name: String, _ value: Value) -> Parameter {
        Parameter(name: name, defaultValue: value)
    }

    static let signatures: [Signature] = [
        Signature("default", [optional("value", ""), optional("boolean", false)]),
        Signature("upper"), Signature("lower"), Signature("title"), Signature("capitalize"), Signature("trim"),
        Signature("join", [optional("sep", "")], walksInput: true),
        Signature("length"), Signature("first"), Signature("last"),
        Signature("indent", [optional("width", 4), optional("first", false), optional("blank", false)]),
        Signature("json", [optional("indent", .null)], walksInput: true),
        Signature("bullets", walksInput: true), Signature("numbered", walksInput: true),
        Signature("replace", [required("old"), required("new"), optional("count", .null)]),
        Signature("truncate", [optional("length", 255), optional("end", "...")]),
        Signature("lines"),
        Signature("sort", [optional("reverse", false)], walksInput: true),
        Signature("reverse"), Signature("unique", walksInput: true),
        Signature("round", [optional("precision", 0)]),
        Signature("int"), Signature("float"), Signature("string", walksInput: true), Signature("wordcount"),
        Signature("map", [required("attribute")], walksInput: true),
        Signature("keys"), Signature("values"),
        Signature("sum", walksInput: true), Signature("min", walksInput: true), Signature("max", walksInput: true),
        Signature("abs"),
    ]

    static let signaturesByName: [String: Signature] = Dictionary(
        uniqueKeysWithValues: signatures.map { ($0.name, $0) })

    /// Where a filter is applied, for error messages.
    struct Site {
        var name: String
        var file: String
        var position: TemplatePosition
        /// Position of each argument (the filter name's position for defaulted ones).
        var argumentPositions: [TemplatePosition]
        /// The path of the filtered expression (`plan.items`), if it is a plain variable access.
        var inputPath: String?

        var location: SourceLocation { position.location(in: file) }

        func typeError(expected: String, got value: Value, suggestion: String? = nil) -> DiagnosticError {
            DiagnosticError(
                .error(
                    TemplateDiagnostics.typeError, "'\(name)' expects \(expected), got \(value.typeName)",
                    at: location, suggestion: suggestion))
        }

        func argumentError(_ index: Int, _ message: String) -> DiagnosticError {
            let position = index < argumentPositions.count ? argumentPositions[index] : self.position
            return DiagnosticError(
                .error(TemplateDiagnostics.filterArgument, "'\(name)': \(message)", at: position.location(in: file)))
        }

        func empty(_ what: String) -> DiagnosticError {
            let subject = inputPath.map { "'\(TemplateDiagnostics.shown($0))'" } ?? "the list"
            return DiagnosticError(
                .error(
                    TemplateDiagnostics.undefinedVariable, "\(subject) has no \(what) item (it is empty)", at: location)
            )
        }

        func checkSize(_ bytes: Int) throws(DiagnosticError) {
            if bytes > TemplateLimits.maxTextBytes {
                throw DiagnosticError(
                    .error(TemplateDiagnostics.tooLarge, "'\(name)' would build text larger than 16 MiB", at: location))
            }
        }
    }

    // MARK: - Applying

    /// Applies every filter except `default`, which the renderer handles because it must catch
    /// undefined values on its left.
    static func apply(_ input: Value, _ arguments: [Value], at site: Site) throws(DiagnosticError) -> Value {
        switch site.name {
        case "upper": return .string(try string(input, site).uppercased())
        case "lower": return .string(try string(input, site).lowercased())
        case "title": return .string(titleCase(try string(input, site)))
        case "capitalize":
            let text = try string(input, site)
            guard let first = text.first else { return .string("") }
            return .string(first.uppercased() + text.dropFirst().lowercased())
        case "trim": return .string(trimmed(try string(input, site)))
        case "join": return try join(input, arguments, site)
        case "length":
            switch input {
            case .string(let s): return .int(s.count)
            case .list(let l): return .int(l.count)
            case .object(let o): return .int(o.count)
            default: throw site.typeError(expected: "a string, list or object", got: input)
            }
        case "first", "last":
            let isFirst = site.name == "first"
            switch input {
            case .list(let l):
                guard let item = isFirst ? l.first : l.last else { throw site.empty(site.name) }
                return item
            case .string(let s):
                guard let ch = isFirst ? s.first : s.last else { throw site.empty(site.name) }
                return .string(String(ch))
            default: throw site.typeError(expected: "a list or string", got: input)
            }
        case "indent": return try indent(input, arguments, site)
        case "json":
            var indentWidth: Int?
            switch arguments[0] {
            case .null: indentWidth = nil
            case .int(let n) where (0...16).contains(n): indentWidth = n
            default: throw site.argumentError(0, "'indent' must be an integer from 0 to 16 or none")
            }
            let text = JSONText.encode(input, pretty: indentWidth != nil, indent: indentWidth ?? 2)
            try site.checkSize(text.utf8.count)
            return .string(text)
        case "bullets", "numbered": return try listing(input, numbered: site.name == "numbered", site)
        case "replace": return try replace(input, arguments, site)
        case "truncate": return try truncate(input, arguments, site)
        case "lines":
            let text = try string(input, site)
            return .list(TextLines.split(text).map { trimmed($0) }.filter { !$0.isEmpty }.map(Value.string))
        case "sort": return try sort(input, arguments, site)
        case "reverse":
            switch input {
            case .list(let l): return .list(l.reversed())
            case .string(let s): return .string(String(s.reversed()))
            default: throw site.typeError(expected: "a list or string", got: input)
            }
        case "unique":
            let items = try list(input, site)
            var seen = Set<Value>()
            var result: [Value] = []
            for item in items where seen.insert(TemplateValues.normalized(item)).inserted { result.append(item) }
            return .list(result)
        case "round": return try round(input, arguments, site)
        case "int": return try toInt(input, site)
        case "float": return try toFloat(input, site)
        case "string":
            let text = input.renderedText
            try site.checkSize(text.utf8.count)
            return .string(text)
        case "wordcount":
            return .int(try string(input, site).split(whereSeparator: { $0.isWhitespace }).count)
        case "map": return try map(input, arguments, site)
        case "keys":
            guard case .object(let o) = input else { throw site.typeError(expected: "an object", got: input) }
            return .list(o.keys.sorted().map(Value.string))
        case "values":
            guard case .object(let o) = input else { throw site.typeError(expected: "an object", got: input) }
            return .list(o.keys.sorted().map { o[$0]! })
        case "sum": return try sum(input, site)
        case "min", "max": return try extreme(input, max: site.name == "max", site)
        case "abs":
            switch input {
            case .int(let i):
                guard i != Int.min else { throw TemplateValues.overflow(at: site.location) }
                return .int(Swift.abs(i))
            case .double(let d): return .double(Swift.abs(d))
            default: throw site.typeError(expected: "a number", got: input)
            }
        default:
            // Unknown names are rejected by the parser.
            throw DiagnosticError(
                .error(TemplateDiagnostics.unknownFilter, "unknown filter '\(site.name)'", at: site.location))
        }
    }

    // MARK: - Input and argument helpers

    private static func string(_ input: Value, _ site: Site) throws(DiagnosticError) -> String {
        guard case .string(let s) = input else {
            let hint: String? = input.typeName == "list" ? "use '| join' to turn a list into text" : nil
            throw site.typeError(expected: "a string", got: input, suggestion: hint)
        }
        return s
    }

    private static func list(_ input: Value, _ site: Site) throws(DiagnosticError) -> [Value] {
        guard case .list(let l) = input else {
            let hint: String? = input.typeName == "string" ? "use '| lines' to split text into a list of lines" : nil
            throw site.typeError(expected: "a list", got: input, suggestion: hint)
        }
        return l
    }

    private static func intArgument(_ arguments: [Value], _ index: Int, _ name: String, _ site: Site)
        throws(DiagnosticError) -> Int
    {
        guard case .int(let value) = arguments[index] else {
            throw site.argumentError(index, "'\(name)' must be an integer, got \(arguments[index].typeName)")
        }
        return value
    }

    private static func boolArgument(_ arguments: [Value], _ index: Int, _ name: String, _ site: Site)
        throws(DiagnosticError) -> Bool
    {
        guard case .bool(let value) = arguments[index] else {
            throw site.argumentError(index, "'\(name)' must be true or false, got \(arguments[index].typeName)")
        }
        return value
    }

    private static func stringArgument(_ arguments: [Value], _ index: Int, _ name: String, _ site: Site)
        throws(DiagnosticError) -> String
    {
        guard case .string(let value) = arguments[index] else {
            throw site.argumentError(index, "'\(name)' must be a string, got \(arguments[index].typeName)")
        }
        return value
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    // MARK: - Implementations

    private static func titleCase(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var atWordStart = true
        for ch in text {
            if ch.isLetter || ch.isNumber {
                result += atWordStart ? ch.uppercased() : ch.lowercased()
                atWordStart = false
            } else if ch == "'" || ch == "\u{2019}" {
                result.append(ch)
            } else {
                result.append(ch)
                atWordStart = true
            }
        }
        return result
    }

    private static func join(_ input: Value, _ arguments: [Value], _ site: Site) throws(DiagnosticError) -> Value {
        let items = try list(input, site)
        let separator = try stringArgument(arguments, 0, "sep", site)
        let texts = items.map(\.renderedText)
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let (separators, overflow) = separator.utf8.count.multipliedReportingOverflow(by: max(0, texts.count - 1))
        if overflow { try site.checkSize(Int.max) }
        try site.checkSize(bytes + separators)
        return .string(texts.joined(separator: separator))
    }

    private static func indent(_ input: Value, _ arguments: [Value], _ site: Site) throws(DiagnosticError) -> Value {
        let text = try string(input, site)
        let prefix: String
        switch arguments[0] {
        case .int(let width) where (0...1000).contains(width): prefix = String(repeating: " ", count: width)
        case .string(let s) where s.count <= 1000: prefix = s
        default: throw site.argumentError(0, "'width' must be an integer from 0 to 1000 or a string")
        }
        let indentFirst = try boolArgument(arguments, 1, "first", site)
        let indentBlank = try boolArgument(arguments, 2, "blank", site)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        try site.checkSize(text.utf8.count + lines.count * prefix.utf8.count)
        var result = ""
        result.reserveCapacity(text.utf8.count + lines.count * prefix.utf8.count)
        for (i, line) in lines.enumerated() {
            if i > 0 { result += "\n" }
            let isBlank = line.allSatisfy { $0.isWhitespace }
            if (i > 0 || indentFirst) && (!isBlank || indentBlank) { result += prefix }
            result += line
        }
        return .string(result)
    }

    private static func listing(_ input: Value, numbered: Bool, _ site: Site) throws(DiagnosticError) -> Value {
        let items = try list(input, site)
        var result = ""
        for (i, item) in items.enumerated() {
            if i > 0 { result += "\n" }
            let marker = numbered ? "\(i + 1). " : "- "
            let continuation = String(repeating: " ", count: marker.count)
            let lines = item.renderedText.split(separator: "\n", omittingEmptySubsequences: false)
            for (k, line) in lines.enumerated() {
                if k == 0 {
                    result += marker
                } else {
                    result += "\n"
                    if !line.isEmpty { result += continuation }
                }
                result += line
            }
            try site.checkSize(result.utf8.count)
        }
        return .string(result)
    }

    private static func replace(_ input: Value, _ arguments: [Value], _ site: Site) throws(DiagnosticError) -> Value {
        let text = try string(input, site)
        let old = try stringArgument(arguments, 0, "old", site)
        let new = try stringArgument(arguments, 1, "new", site)
        guard !old.isEmpty else { throw site.argumentError(0, "'old' must not be empty") }
        var limit = Int.max
        if arguments[2] != .null {
            limit = try intArgument(arguments, 2, "count", site)
            guard limit >= 0 else { throw site.argumentError(2, "'count' must not be negative") }
        }
        let haystack = Array(text.utf8), needle = Array(old.utf8), replacement = Array(new.utf8)
        let matches = TemplateTextSearch.occurrences(of: needle, in: haystack, limit: limit)
        if matches.isEmpty { return input }
        let growth = (replacement.count - needle.count).multipliedReportingOverflow(by: matches.count)
        if growth.overflow { try site.checkSize(Int.max) }
        try site.checkSize(haystack.count + growth.partialValue)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(0, haystack.count + growth.partialValue))
        var position = 0
        for match in matches {
            bytes.append(contentsOf: haystack[position..<match])
            bytes.append(contentsOf: replacement)
            position = match + needle.count
        }
        bytes.append(contentsOf: haystack[position...])
        return .string(String(decoding: bytes, as: UTF8.self))
    }

    private static func truncate(_ input: Value, _ arguments: [Value], _ site: Site) throws(DiagnosticError) -> Value {
        let text = try string(input, site)
        let length = try intArgument(arguments, 0, "length", site)
        guard length >= 0 else { throw site.argumentError(0, "'length' must not be negative") }
        let end = try stringArgument(arguments, 1, "end", site)
        guard text.count > length else { return input }
        if length <= end.count { return .string(String(text.prefix(length))) }
        var kept = String(text.prefix(length - end.count))
        while let last = kept.last, last.isWhitespace { kept.removeLast() }
        return .string(kept + end)
    }

    private static func sort(_ input: Value, _ arguments: [Value], _ site: Site) throws(DiagnosticError) -> Value {
        let items = try list(input, site)
        let descending = try boolArgument(arguments, 0, "reverse", site)
        let sorted: [Value]
        if items.allSatisfy({ TemplateValues.isNumber($0) }) {
            sorted = items.sorted { TemplateValues.numericLess($0, $1) }
        } else if items.allSatisfy({ $0.stringValue != nil }) {
            sorted = items.sorted { $0.stringValue! < $1.stringValue! }
        } else {
            let kinds = Set(items.map { TemplateValues.isNumber($0) ? "number" : $0.typeName }).sorted()
            throw DiagnosticError(
                .error(
                    TemplateDiagnostics.typeError,
                    "'sort' needs a list of only numbers or only strings, got \(kinds.joined(separator: " and "))",
                    at: site.location))
        }
        return .list(descending ? sorted.reversed() : sorted)
    }

    private static func round(_ input: Value, _ arguments: [Value], _ site: Site) throws(DiagnosticError) -> Value {
        let precision = try intArgument(arguments, 0, "precision", site)
        guard (-15...15).contains(precision) else {
            throw site.argumentError(0, "'precision' must be from -15 to 15")
        }
        switch input {
        case .int(let i) where precision >= 0: return .int(i)
        case .int(let i): return .double(roundDouble(Double(i), precision))
        case .double(let d): return .double(roundDouble(d, precision))
        default: throw site.typeError(expected: "a number", got: input)
        }
    }

    private static func roundDouble(_ value: Double, _ precision: Int) -> Double {
        var scale = 1.0
        for _ in 0..<Swift.abs(precision) { scale *= 10 }
        if precision >= 0 {
            return (value * scale).rounded(.toNearestOrAwayFromZero) / scale
        }
        return (value / scale).rounded(.toNearestOrAwayFromZero) * scale
    }

    private static func toInt(_ input: Value, _ site: Site) throws(DiagnosticError) -> Value {
        switch input {
        case .int: return input
        case .bool(let b): return .int(b ? 1 : 0)
        case .double(let d):
            guard let i = TemplateValues.exactInt(d.rounded(.towardZero)) else {
                throw conversion(input, "an integer", site)
            }
            return .int(i)
        case .string(let s):
            let text = trimmed(s)
            if let i = Int(text) { return .int(i) }
            if let d = Double(text), let i = TemplateValues.exactInt(d.rounded(.towardZero)) { return .int(i) }
            throw conversion(input, "an integer", site)
        default: throw site.typeError(expected: "a number, string or boolean", got: input)
        }
    }

    private static func toFloat(_ input: Value, _ site: Site) throws(DiagnosticError) -> Value {
        switch input {
        case .int(let i): return .double(Double(i))
        case .double: return input
        case .bool(let b): return .double(b ? 1 : 0)
        case .string(let s):
            if let d = Double(trimmed(s)), d.isFinite { return .double(d) }
            throw conversion(input, "a number", site)
        default: throw site.typeError(expected: "a number, string or boolean", got: input)
        }
    }

    private static func conversion(_ input: Value, _ target: String, _ site: Site) -> DiagnosticError {
        var shown = input.renderedText
        if shown.count > 40 { shown = String(shown.prefix(40)) + "…" }
        return DiagnosticError(
            .error(TemplateDiagnostics.typeError, "cannot convert '\(shown)' to \(target)", at: site.location))
    }

    private static func map(_ input: Value, _ arguments: [Value], _ site: Site) throws(DiagnosticError) -> Value {
        let items = try list(input, site)
        let attribute = try stringArgument(arguments, 0, "attribute", site)
        let keys = attribute.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.contains(where: \.isEmpty) else {
            throw site.argumentError(0, "'attribute' is not a valid key path")
        }
        var result: [Value] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            var value = item
            for key in keys {
                guard case .object(let object) = value else {
                    throw DiagnosticError(
                        .error(
                            TemplateDiagnostics.typeError,
                            "'map' needs objects, but item \(i) is \(TemplateValues.withArticle(value))",
                            at: site.location))
                }
                guard let next = object[key] else {
                    throw DiagnosticError(
                        .error(
                            TemplateDiagnostics.undefinedVariable,
                            "item \(i) has no key '\(TemplateDiagnostics.shown(key))'",
                            at: site.location, suggestion: TemplateDiagnostics.didYouMean(key, in: object.keys)))
                }
                value = next
            }
            result.append(value)
        }
        return .list(result)
    }

    private static func sum(_ input: Value, _ site: Site) throws(DiagnosticError) -> Value {
        let items = try list(input, site)
        var intTotal = 0
        var doubleTotal = 0.0
        var isDouble = false
        for item in items {
            switch item {
            case .int(let i):
                let (total, overflow) = intTotal.addingReportingOverflow(i)
                if overflow { throw TemplateValues.overflow(at: site.location) }
                intTotal = total
            case .double(let d):
                isDouble = true
                doubleTotal += d
            default:
                throw DiagnosticError(
                    .error(
                        TemplateDiagnostics.typeError,
                        "'sum' needs a list of numbers, got an item of type \(item.typeName)",
                        at: site.location))
            }
        }
        return isDouble ? .double(doubleTotal + Double(intTotal)) : .int(intTotal)
    }

    private static func extreme(_ input: Value, max: Bool, _ site: Site) throws(DiagnosticError) -> Value {
        let items = try list(input, site)
        guard var best = items.first else { throw site.empty(max ? "largest" : "smallest") }
        if items.allSatisfy({ TemplateValues.isNumber($0) }) {
            for item in items.dropFirst()
            where max ? TemplateValues.numericLess(best, item) : TemplateValues.numericLess(item, best) {
                best = item
            }
        } else if items.allSatisfy({ $0.stringValue != nil }) {
            for item in items.dropFirst()
            where max ? best.stringValue! < item.stringValue! : item.stringValue! < best.stringValue! {
                best = item
            }
        } else {
            throw DiagnosticError(
                .error(
                    TemplateDiagnostics.typeError, "'\(site.name)' needs a list of only numbers or only strings",
                    at: site.location))
        }
        return best
    }
}
