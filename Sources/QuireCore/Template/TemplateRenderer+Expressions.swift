extension TemplateRenderer {
    mutating func evaluate(_ expression: TemplateExpression) throws(DiagnosticError) -> Value {
        try charge(1, at: expression.position)
        switch expression.kind {
        case .literal(let value):
            return value
        case .list(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            let list = Value.list(values)
            try checkBuiltList(list, at: expression.position)
            return list
        case .variable(let name):
            return try variable(name, at: expression.position)
        case .attribute(let base, let key):
            return try attribute(key, of: try evaluate(base), base: base, at: expression.position)
        case .index(let base, let index):
            let container = try evaluate(base)
            return try subscripted(container, by: try evaluate(index), base: base, at: expression.position)
        case .unary(let op, let operand):
            return try unary(op, try evaluate(operand), at: expression.position)
        case .binary(let op, let lhs, let rhs):
            return try binary(op, lhs, rhs, at: expression.position)
        case .filter(let base, let call):
            return try filter(call, base)
        case .test(let base, let name, let negated):
            return .bool(try test(name, base, at: expression.position) != negated)
        case .conditional(let value, let condition, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(value) }
            return try otherwise.map { (e) throws(DiagnosticError) in try evaluate(e) } ?? .null
        }
    }

    /// Bounds lists a template builds (`[a, b]`, `a + b`): a template cannot make huge or deep values.
    private mutating func checkBuiltList(_ list: Value, at position: TemplatePosition) throws(DiagnosticError) {
        let (elements, depth) = TemplateValues.measure(list, limit: TemplateLimits.maxListElements)
        try charge(min(elements, TemplateLimits.maxListElements), at: position)
        if elements > TemplateLimits.maxListElements {
            throw failure(
                TemplateDiagnostics.tooLarge, "list exceeds the limit of \(TemplateLimits.maxListElements) elements",
                at: position)
        }
        if depth > TemplateLimits.maxListDepth {
            throw failure(
                TemplateDiagnostics.tooDeep, "list nested more than \(TemplateLimits.maxListDepth) levels deep",
                at: position)
        }
    }

    private func checkText(_ text: String, at position: TemplatePosition) throws(DiagnosticError) -> Value {
        if text.utf8.count > TemplateLimits.maxTextBytes {
            throw failure(TemplateDiagnostics.tooLarge, "text exceeds the limit of 16 MiB", at: position)
        }
        return .string(text)
    }

    // MARK: - Variables, keys and indexes

    private func variable(_ name: String, at position: TemplatePosition) throws(DiagnosticError) -> Value {
        if let value = lookup(name) { return value }
        let notes = name == "loop" ? ["'loop' is only defined inside '{% for %}'"] : []
        throw failure(
            TemplateDiagnostics.undefinedVariable, "undefined variable '\(TemplateDiagnostics.shown(name))'",
            at: position,
            notes: notes, suggestion: TemplateDiagnostics.didYouMean(name, in: visibleNames()))
    }

    /// `'plan.sections[0]'` for a plain path, otherwise `the value`.
    private func describe(_ base: TemplateExpression) -> String {
        base.path.map { "'\(TemplateDiagnostics.shown($0))'" } ?? "the value"
    }

    private func attribute(_ key: String, of value: Value, base: TemplateExpression, at position: TemplatePosition)
        throws(DiagnosticError) -> Value
    {
        switch value {
        case .object(let object):
            if let found = object[key] { return found }
            throw failure(
                TemplateDiagnostics.undefinedVariable,
                "\(describe(base)) has no key '\(TemplateDiagnostics.shown(key))'",
                at: position, suggestion: TemplateDiagnostics.didYouMean(key, in: object.keys))
        case .null:
            throw failure(
                TemplateDiagnostics.undefinedVariable,
                "\(describe(base)) is null, so it has no key '\(TemplateDiagnostics.shown(key))'",
                at: position)
        default:
            let hint: String? =
                ["length", "count", "size"].contains(key) && (value.listValue != nil || value.stringValue != nil)
                ? "use '| length'" : nil
            throw failure(
                TemplateDiagnostics.typeError,
                "cannot read key '\(TemplateDiagnostics.shown(key))' of \(describe(base)) "
                    + "(\(TemplateValues.withArticle(value)))",
                at: position,
                suggestion: hint)
        }
    }

    private func subscripted(_ value: Value, by index: Value, base: TemplateExpression, at position: TemplatePosition)
        throws(DiagnosticError) -> Value
    {
        switch (value, index) {
        case (.list(let items), .int(let i)):
            let k = i < 0 ? items.count + i : i
            guard k >= 0, k < items.count else {
                throw failure(
                    TemplateDiagnostics.undefinedVariable,
                    "\(describe(base)) has no index \(i) (length \(items.count))",
                    at: position)
            }
            return items[k]
        case (.string(let text), .int(let i)):
            let count = text.count
            let k = i < 0 ? count + i : i
            guard k >= 0, k < count else {
                throw failure(
                    TemplateDiagnostics.undefinedVariable, "\(describe(base)) has no index \(i) (length \(count))",
                    at: position)
            }
            return .string(String(text[text.index(text.startIndex, offsetBy: k)]))
        case (.object, .string(let key)):
            return try attribute(key, of: value, base: base, at: position)
        case (.list, _), (.string, _):
            throw failure(
                TemplateDiagnostics.typeError,
                "\(value.typeName) index must be an integer, got \(index.typeName)", at: position)
        case (.object, _):
            throw failure(
                TemplateDiagnostics.typeError, "object key must be a string, got \(index.typeName)", at: position)
        case (.null, _):
            throw failure(
                TemplateDiagnostics.undefinedVariable,
                "\(describe(base)) is null, so it has no index \(TemplateDiagnostics.shown(index.renderedText))",
                at: position)
        default:
            throw failure(
                TemplateDiagnostics.typeError,
                "cannot index \(describe(base)) (\(TemplateValues.withArticle(value)))", at: position)
        }
    }

    // MARK: - Operators

    private func unary(_ op: TemplateExpression.UnaryOperator, _ value: Value, at position: TemplatePosition)
        throws(DiagnosticError) -> Value
    {
        switch (op, value) {
        case (.not, _): return .bool(!value.isTruthy)
        case (.negate, .int(let i)):
            let (result, overflow) = 0.subtractingReportingOverflow(i)
            if overflow { throw TemplateValues.overflow(at: location(position)) }
            return .int(result)
        case (.negate, .double(let d)): return .double(-d)
        case (.plus, .int), (.plus, .double): return value
        default:
            throw failure(
                TemplateDiagnostics.typeError, "cannot apply '\(op.rawValue)' to \(value.typeName)", at: position)
        }
    }

    private mutating func binary(
        _ op: TemplateExpression.BinaryOperator, _ lhsExpression: TemplateExpression,
        _ rhsExpression: TemplateExpression, at position: TemplatePosition
    ) throws(DiagnosticError) -> Value {
        let lhs = try evaluate(lhsExpression)
        switch op {
        case .and: return lhs.isTruthy ? try evaluate(rhsExpression) : lhs
        case .or: return lhs.isTruthy ? lhs : try evaluate(rhsExpression)
        default: break
        }
        let rhs = try evaluate(rhsExpression)
        switch op {
        case .and, .or:
            return .null  // handled above
        case .equal, .notEqual:
            try chargeElements(of: lhs, at: position)
            try chargeElements(of: rhs, at: position)
            return .bool(TemplateValues.equals(lhs, rhs) == (op == .equal))
        case .less, .greater, .lessOrEqual, .greaterOrEqual:
            return .bool(try compare(op, lhs, rhs, at: position))
        case .in, .notIn:
            return .bool(try contains(rhs, lhs, at: position) == (op == .in))
        case .concat:
            try chargeElements(of: lhs, at: position)
            try chargeElements(of: rhs, at: position)
            return try checkText(lhs.renderedText + rhs.renderedText, at: position)
        case .add, .subtract, .multiply, .divide, .modulo:
            return try arithmetic(op, lhs, rhs, at: position)
        }
    }

    private func compare(
        _ op: TemplateExpression.BinaryOperator, _ lhs: Value, _ rhs: Value, at position: TemplatePosition
    ) throws(DiagnosticError) -> Bool {
        let less: Bool, equal: Bool
        if TemplateValues.isNumber(lhs), TemplateValues.isNumber(rhs) {
            less = TemplateValues.numericLess(lhs, rhs)
            equal = !less && !TemplateValues.numericLess(rhs, lhs)
        } else if case .string(let a) = lhs, case .string(let b) = rhs {
            less = a < b
            equal = a == b
        } else {
            throw failure(
                TemplateDiagnostics.typeError,
                "cannot compare \(lhs.typeName) and \(rhs.typeName) with '\(op.rawValue)'",
                at: position)
        }
        switch op {
        case .less: return less
        case .lessOrEqual: return less || equal
        case .greater: return !less && !equal
        default: return !less
        }
    }

    private mutating func contains(_ container: Value, _ item: Value, at position: TemplatePosition)
        throws(DiagnosticError) -> Bool
    {
        switch container {
        case .list(let items):
            try chargeElements(of: container, at: position)
            try chargeElements(of: item, at: position)
            return items.contains { TemplateValues.equals($0, item) }
        case .string(let text):
            guard case .string(let needle) = item else {
                throw failure(
                    TemplateDiagnostics.typeError, "'in' a string needs a string on the left, got \(item.typeName)",
                    at: position)
            }
            return TemplateTextSearch.contains(text, needle)
        case .object(let object):
            guard case .string(let key) = item else {
                throw failure(
                    TemplateDiagnostics.typeError,
                    "'in' an object needs a string key on the left, got \(item.typeName)",
                    at: position)
            }
            return object[key] != nil
        default:
            throw failure(
                TemplateDiagnostics.typeError,
                "'in' needs a list, string or object on the right, got \(container.typeName)",
                at: position)
        }
    }

    private mutating func arithmetic(
        _ op: TemplateExpression.BinaryOperator, _ lhs: Value, _ rhs: Value, at position: TemplatePosition
    ) throws(DiagnosticError) -> Value {
        let overflow = TemplateValues.overflow(at: location(position))
        switch (op, lhs, rhs) {
        case (.add, .int(let a), .int(let b)):
            let (r, o) = a.addingReportingOverflow(b)
            if o { throw overflow }
            return .int(r)
        case (.subtract, .int(let a), .int(let b)):
            let (r, o) = a.subtractingReportingOverflow(b)
            if o { throw overflow }
            return .int(r)
        case (.multiply, .int(let a), .int(let b)):
            let (r, o) = a.multipliedReportingOverflow(by: b)
            if o { throw overflow }
            return .int(r)
        case (.modulo, .int(let a), .int(let b)):
            if b == 0 { throw failure(TemplateDiagnostics.typeError, "division by zero", at: position) }
            if b == -1 { return .int(0) }
            var r = a % b
            if r != 0 && (r < 0) != (b < 0) { r += b }
            return .int(r)
        case (.add, .string(let a), .string(let b)):
            return try checkText(a + b, at: position)
        case (.add, .list(let a), .list(let b)):
            let list = Value.list(a + b)
            try checkBuiltList(list, at: position)
            return list
        case (.multiply, .string(let s), .int(let n)), (.multiply, .int(let n), .string(let s)):
            let (bytes, o) = s.utf8.count.multipliedReportingOverflow(by: max(0, n))
            if o || bytes > TemplateLimits.maxTextBytes {
                throw failure(TemplateDiagnostics.tooLarge, "text exceeds the limit of 16 MiB", at: position)
            }
            try charge(bytes / 64, at: position)
            // An empty text repeated is empty: String(repeating:count:) would still loop n times.
            if s.isEmpty || n <= 0 { return .string("") }
            return .string(String(repeating: s, count: n))
        default:
            break
        }
        guard let a = Self.double(lhs), let b = Self.double(rhs) else {
            let hint: String? =
                op == .add && (lhs.stringValue != nil || rhs.stringValue != nil)
                ? "use '~' to join values as text" : nil
            throw failure(
                TemplateDiagnostics.typeError, "cannot apply '\(op.rawValue)' to \(lhs.typeName) and \(rhs.typeName)",
                at: position, suggestion: hint)
        }
        switch op {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide:
            if b == 0 { throw failure(TemplateDiagnostics.typeError, "division by zero", at: position) }
            return .double(a / b)
        default:
            if b == 0 { throw failure(TemplateDiagnostics.typeError, "division by zero", at: position) }
            var r = a.truncatingRemainder(dividingBy: b)
            if r != 0 && (r < 0) != (b < 0) { r += b }
            return .double(r)
        }
    }

    private static func double(_ value: Value) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    // MARK: - Filters and tests

    private mutating func filter(_ call: TemplateExpression.FilterCall, _ base: TemplateExpression)
        throws(DiagnosticError) -> Value
    {
        if call.name == "default" {
            var input: Value?
            do throws(DiagnosticError) {
                input = try evaluate(base)
            } catch {
                guard TemplateDiagnostics.isUndefined(error) else { throw error }
            }
            var boolean = false
            if let argument = call.arguments[1] {
                guard case .bool(let flag) = try evaluate(argument) else {
                    throw failure(
                        TemplateDiagnostics.filterArgument, "'default': 'boolean' must be true or false",
                        at: argument.start)
                }
                boolean = flag
            }
            if let input, !input.isNull, !boolean || input.isTruthy { return input }
            return try call.arguments[0].map { (e) throws(DiagnosticError) in try evaluate(e) } ?? .string("")
        }
        guard let signature = TemplateFilters.signaturesByName[call.name] else {
            throw failure(TemplateDiagnostics.unknownFilter, "unknown filter '\(call.name)'", at: call.position)
        }
        let input = try evaluate(base)
        var arguments: [Value] = []
        var positions: [TemplatePosition] = []
        for (i, argument) in call.arguments.enumerated() {
            if let argument {
                arguments.append(try evaluate(argument))
                positions.append(argument.start)
            } else {
                arguments.append(signature.parameters[i].defaultValue ?? .null)
                positions.append(call.position)
            }
        }
        if signature.walksInput { try chargeElements(of: input, at: call.position) }
        let site = TemplateFilters.Site(
            name: call.name, file: file, position: call.position, argumentPositions: positions, inputPath: base.path)
        return try TemplateFilters.apply(input, arguments, at: site)
    }

    private mutating func test(_ name: String, _ base: TemplateExpression, at position: TemplatePosition)
        throws(DiagnosticError) -> Bool
    {
        if name == "defined" || name == "undefined" {
            var defined = true
            do throws(DiagnosticError) {
                _ = try evaluate(base)
            } catch {
                guard TemplateDiagnostics.isUndefined(error) else { throw error }
                defined = false
            }
            return defined == (name == "defined")
        }
        return try TemplatePredicates.evaluate(name, try evaluate(base), at: location(position))
    }
}
