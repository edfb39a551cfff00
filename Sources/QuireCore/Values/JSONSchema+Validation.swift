extension JSONSchema {
    /// Walks a value and a schema together, collecting violations.
    struct Validator {
        var violations: [SchemaViolation] = []
        private var patterns: [String: RegexPattern?] = [:]

        mutating func check(_ value: Value, against schema: Value, at path: JSONPath) {
            switch schema {
            case .bool(true):
                return
            case .bool(false):
                report(path, "no value is allowed here (the schema is false)")
                return
            case .object(let keywords):
                checkKeywords(value, keywords, at: path)
            default:
                return  // not a schema; validateSchema reports it
            }
        }

        private mutating func report(_ path: JSONPath, _ message: String) {
            violations.append(SchemaViolation(path: path, message: message))
        }

        private mutating func checkKeywords(_ value: Value, _ schema: [String: Value], at path: JSONPath) {
            if let type = schema["type"] {
                let allowed: [String]
                switch type {
                case .string(let name): allowed = [name]
                case .list(let names): allowed = names.compactMap(\.stringValue)
                default: allowed = []
                }
                if !allowed.isEmpty, !allowed.contains(where: { JSONSchema.value(value, hasType: $0) }) {
                    report(
                        path,
                        "expected \(allowed.joined(separator: " or ")), got \(JSONSchema.typeName(of: value))")
                }
            }
            if let options = schema["enum"]?.listValue, !options.contains(where: { JSONSchema.equal($0, value) }) {
                let shown = options.prefix(10).map { JSONSchema.excerpt($0) }.joined(separator: ", ")
                let more = options.count > 10 ? ", …" : ""
                report(path, "expected one of \(shown)\(more), got \(JSONSchema.excerpt(value))")
            }
            if let constant = schema["const"], !JSONSchema.equal(constant, value) {
                report(path, "expected \(JSONSchema.excerpt(constant)), got \(JSONSchema.excerpt(value))")
            }
            switch value {
            case .int, .double:
                checkNumber(value, schema, at: path)
            case .string(let string):
                checkString(string, schema, at: path)
            case .list(let items):
                checkArray(items, schema, at: path)
            case .object(let object):
                checkObject(object, schema, at: path)
            case .null, .bool:
                break
            }
            checkCombinators(value, schema, at: path)
        }

        private mutating func checkNumber(_ value: Value, _ schema: [String: Value], at path: JSONPath) {
            let shown = JSONSchema.excerpt(value)
            if let limit = schema["minimum"], JSONSchema.isNumber(limit), JSONSchema.compare(value, limit) < 0 {
                report(path, "expected a number >= \(JSONSchema.excerpt(limit)), got \(shown)")
            }
            if let limit = schema["maximum"], JSONSchema.isNumber(limit), JSONSchema.compare(value, limit) > 0 {
                report(path, "expected a number <= \(JSONSchema.excerpt(limit)), got \(shown)")
            }
            if let limit = schema["exclusiveMinimum"], JSONSchema.isNumber(limit), JSONSchema.compare(value, limit) <= 0
            {
                report(path, "expected a number > \(JSONSchema.excerpt(limit)), got \(shown)")
            }
            if let limit = schema["exclusiveMaximum"], JSONSchema.isNumber(limit), JSONSchema.compare(value, limit) >= 0
            {
                report(path, "expected a number < \(JSONSchema.excerpt(limit)), got \(shown)")
            }
            if let divisor = schema["multipleOf"], let d = JSONSchema.double(divisor), d > 0,
                let x = JSONSchema.double(value)
            {
                let isMultiple: Bool
                if case .int(let a) = value, case .int(let b) = divisor {
                    isMultiple = a % b == 0
                } else {
                    let quotient = x / d
                    isMultiple = quotient.isFinite && abs(quotient - quotient.rounded()) < 1e-9
                }
                if !isMultiple { report(path, "expected a multiple of \(JSONSchema.excerpt(divisor)), got \(shown)") }
            }
        }

        private mutating func checkString(_ string: String, _ schema: [String: Value], at path: JSONPath) {
            let length = string.unicodeScalars.count
            if let limit = schema["minLength"].flatMap(JSONSchema.count), length < limit {
                report(path, "expected at least \(plural(limit, "character")), got \(length)")
            }
            if let limit = schema["maxLength"].flatMap(JSONSchema.count), length > limit {
                report(path, "expected at most \(plural(limit, "character")), got \(length)")
            }
            if let pattern = schema["pattern"]?.stringValue, let regex = compiled(pattern), !regex.hasMatch(in: string)
            {
                report(path, "expected a string matching '\(pattern)', got \(JSONSchema.excerpt(.string(string)))")
            }
        }

        private mutating func checkArray(_ items: [Value], _ schema: [String: Value], at path: JSONPath) {
            if let limit = schema["minItems"].flatMap(JSONSchema.count), items.count < limit {
                report(path, "expected at least \(plural(limit, "item")), got \(items.count)")
            }
            if let limit = schema["maxItems"].flatMap(JSONSchema.count), items.count > limit {
                report(path, "expected at most \(plural(limit, "item")), got \(items.count)")
            }
            if schema["uniqueItems"] == .bool(true) {
                for (i, item) in items.enumerated() {
                    if let first = items[..<i].firstIndex(where: { JSONSchema.equal($0, item) }) {
                        report(path.appending(index: i), "duplicate of \(path.appending(index: first))")
                    }
                }
            }
            if let itemSchema = schema["items"], itemSchema.listValue == nil {
                for (i, item) in items.enumerated() {
                    check(item, against: itemSchema, at: path.appending(index: i))
                }
            }
        }

        private mutating func checkObject(_ object: [String: Value], _ schema: [String: Value], at path: JSONPath) {
            if let limit = schema["minProperties"].flatMap(JSONSchema.count), object.count < limit {
                report(path, "expected at least \(plural(limit, "property", "properties")), got \(object.count)")
            }
            if let limit = schema["maxProperties"].flatMap(JSONSchema.count), object.count > limit {
                report(path, "expected at most \(plural(limit, "property", "properties")), got \(object.count)")
            }
            if let required = schema["required"]?.listValue {
                for name in required.compactMap(\.stringValue) where object[name] == nil {
                    report(path, "missing required property '\(name)'")
                }
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for key in object.keys.sorted() {
                let child = path.appending(key: key)
                if let propertySchema = properties[key] {
                    check(object[key]!, against: propertySchema, at: child)
                } else if let additional = schema["additionalProperties"] {
                    if additional == .bool(false) {
                        report(child, "unexpected property (additionalProperties is false)")
                    } else {
                        check(object[key]!, against: additional, at: child)
                    }
                }
            }
        }

        private mutating func checkCombinators(_ value: Value, _ schema: [String: Value], at path: JSONPath) {
            if let branches = schema["allOf"]?.listValue {
                for branch in branches { check(value, against: branch, at: path) }
            }
            if let branches = schema["anyOf"]?.listValue, !branches.isEmpty {
                let results = branches.map { branchViolations(value, $0, at: path) }
                if !results.contains(where: \.isEmpty) {
                    report(path, "does not match any schema in anyOf (\(summary(results, at: path)))")
                }
            }
            if let branches = schema["oneOf"]?.listValue, !branches.isEmpty {
                let results = branches.map { branchViolations(value, $0, at: path) }
                let matching = results.indices.filter { results[$0].isEmpty }
                if matching.isEmpty {
                    report(path, "does not match any schema in oneOf (\(summary(results, at: path)))")
                } else if matching.count > 1 {
                    let which = matching.map { "#\($0 + 1)" }.joined(separator: ", ")
                    report(path, "matches \(matching.count) schemas in oneOf (\(which)), expected exactly one")
                }
            }
            if let negated = schema["not"], branchViolations(value, negated, at: path).isEmpty {
                report(path, "must not match the schema in 'not'")
            }
        }

        private mutating func branchViolations(_ value: Value, _ schema: Value, at path: JSONPath) -> [SchemaViolation]
        {
            var nested = Validator()
            nested.patterns = patterns
            nested.check(value, against: schema, at: path)
            patterns = nested.patterns
            return nested.violations
        }

        /// `#1: expected string, got integer; #2: $.a.b: missing required property 'c'`
        private func summary(_ results: [[SchemaViolation]], at path: JSONPath) -> String {
            results.enumerated().map { index, violations in
                let first = violations[0]
                let text = first.path == path ? first.message : first.description
                let more = violations.count > 1 ? " (+\(violations.count - 1) more)" : ""
                return "#\(index + 1): \(text)\(more)"
            }.joined(separator: "; ")
        }

        private mutating func compiled(_ pattern: String) -> RegexPattern? {
            if let cached = patterns[pattern] { return cached }
            let regex = try? RegexPattern(pattern)
            patterns[pattern] = regex
            return regex
        }

        private func plural(_ count: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
            "\(count) \(count == 1 ? singular : pluralForm ?? singular + "s")"
        }
    }

    // MARK: - Value helpers

    static func value(_ value: Value, hasType type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .list), ("object", .object),
            ("integer", .int), ("number", .int), ("number", .double):
            return true
        case ("integer", .double(let d)):
            return d.isFinite && d == d.rounded()
        default:
            return false
        }
    }

    static func isNumber(_ value: Value) -> Bool {
        switch value {
        case .int, .double: true
        default: false
        }
    }

    static func double(_ value: Value) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// A non-negative integer keyword value (`minItems: 2`, also `2.0`).
    static func count(_ value: Value) -> Int? {
        switch value {
        case .int(let i) where i >= 0: i
        case .double(let d) where d >= 0 && d == d.rounded() && d < 1e15: Int(d)
        default: nil
        }
    }

    /// Numeric comparison, exact for two integers.
    static func compare(_ a: Value, _ b: Value) -> Int {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x > y ? 1 : 0) }
        let x = double(a) ?? .nan, y = double(b) ?? .nan
        return x < y ? -1 : (x > y ? 1 : 0)
    }

    /// JSON equality: numbers by value (`1 == 1.0`), objects regardless of key order.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            return compare(a, b) == 0
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }

    /// Compact JSON for a message, shortened past 60 characters.
    static func excerpt(_ value: Value) -> String {
        let text = JSONText.encode(value, pretty: false)
        guard text.count > 60 else { return text }
        return String(text.prefix(57)) + "…"
    }
}
