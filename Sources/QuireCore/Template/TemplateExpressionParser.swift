/// Parses the tokens of one tag into expressions (precedence climbing, bounded nesting).
///
/// Precedence, lowest first: `x if c else y`; `or`; `and`; `not`; comparisons (`==` `!=` `<` `>` `<=`
/// `>=` `in` `not in`); `+` `-`; `~`; `*` `/` `%`; unary `-` `+`; then postfix `.name`, `[index]`,
/// `| filter` and `is test`, which bind tightest.
struct TemplateExpressionParser {
    static let keywords: Set<String> = [
        "and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "null", "True", "False", "None",
    ]

    let tokens: [TemplateToken]
    let file: String
    private(set) var index = 0
    private var nesting = 0
    /// Problems that do not stop parsing (unknown filters and tests, bad filter arguments).
    private(set) var diagnostics: [Diagnostic] = []

    init(tokens: [TemplateToken], file: String, startingAt index: Int = 0) {
        self.tokens = tokens
        self.file = file
        self.index = min(index, tokens.count - 1)
    }

    var current: TemplateToken { tokens[index] }
    var isAtEnd: Bool { current.kind == .end }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    func isName(_ name: String) -> Bool { current.kind == .name(name) }
    func isSymbol(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }

    private func peekKind(_ offset: Int) -> TemplateToken.Kind {
        tokens[min(index + offset, tokens.count - 1)].kind
    }

    func error(_ message: String, at position: TemplatePosition, notes: [String] = []) -> DiagnosticError {
        DiagnosticError(
            TemplateDiagnostics.error(TemplateDiagnostics.syntax, message, at: position, in: file, notes: notes))
    }

    /// Requires the end of the tag.
    func expectEnd() throws(DiagnosticError) {
        guard isAtEnd else {
            throw error("expected the end of the tag, found \(current.display)", at: current.position)
        }
    }

    mutating func expect(_ symbol: String, closing opener: TemplateToken? = nil) throws(DiagnosticError) {
        guard isSymbol(symbol) else {
            let notes = opener.map { ["to close '\(symbolText($0))' at \($0.position)"] } ?? []
            throw error("expected '\(symbol)', found \(current.display)", at: current.position, notes: notes)
        }
        advance()
    }

    private func symbolText(_ token: TemplateToken) -> String {
        if case .symbol(let s) = token.kind { return s }
        return ""
    }

    private mutating func enter(at position: TemplatePosition) throws(DiagnosticError) {
        nesting += 1
        if nesting > TemplateLimits.maxExpressionNesting {
            throw DiagnosticError(
                TemplateDiagnostics.error(
                    TemplateDiagnostics.tooDeep,
                    "expression nested more than \(TemplateLimits.maxExpressionNesting) levels deep", at: position,
                    in: file))
        }
    }

    private func make(
        _ kind: TemplateExpression.Kind, at position: TemplatePosition, start: TemplatePosition
    ) throws(DiagnosticError) -> TemplateExpression {
        let expression = TemplateExpression(kind: kind, position: position, start: start, depth: 1 + kind.childDepth)
        if expression.depth > TemplateLimits.maxExpressionDepth {
            throw DiagnosticError(
                TemplateDiagnostics.error(
                    TemplateDiagnostics.tooDeep,
                    "expression is too complex (more than \(TemplateLimits.maxExpressionDepth) nested operations)",
                    at: position, in: file))
        }
        return expression
    }

    // MARK: - Grammar

    /// A full expression, including `value if condition else other`.
    mutating func parseExpression() throws(DiagnosticError) -> TemplateExpression {
        let value = try parseBinary(minimumPrecedence: 1)
        guard isName("if") else { return value }
        let ifToken = current
        advance()
        let condition = try parseBinary(minimumPrecedence: 1)
        var otherwise: TemplateExpression?
        if isName("else") {
            advance()
            try enter(at: ifToken.position)
            defer { nesting -= 1 }
            otherwise = try parseExpression()
        }
        return try make(
            .conditional(value, condition: condition, otherwise: otherwise), at: ifToken.position, start: value.start)
    }

    /// An expression without a trailing `if … else …` (used for `for` iterables).
    mutating func parseOperand() throws(DiagnosticError) -> TemplateExpression {
        try parseBinary(minimumPrecedence: 1)
    }

    private func binaryOperator() -> (TemplateExpression.BinaryOperator, precedence: Int, tokens: Int)? {
        switch current.kind {
        case .name("or"): return (.or, 1, 1)
        case .name("and"): return (.and, 2, 1)
        case .name("in"): return (.in, 4, 1)
        case .name("not") where peekKind(1) == .name("in"): return (.notIn, 4, 2)
        case .symbol(let symbol):
            switch symbol {
            case "==": return (.equal, 4, 1)
            case "!=": return (.notEqual, 4, 1)
            case "<": return (.less, 4, 1)
            case ">": return (.greater, 4, 1)
            case "<=": return (.lessOrEqual, 4, 1)
            case ">=": return (.greaterOrEqual, 4, 1)
            case "+": return (.add, 5, 1)
            case "-": return (.subtract, 5, 1)
            case "~": return (.concat, 6, 1)
            case "*": return (.multiply, 7, 1)
            case "/": return (.divide, 7, 1)
            case "%": return (.modulo, 7, 1)
            default: return nil
            }
        default: return nil
        }
    }

    private mutating func parseBinary(minimumPrecedence: Int) throws(DiagnosticError) -> TemplateExpression {
        var lhs = try parsePrefix()
        while let (op, precedence, count) = binaryOperator(), precedence >= minimumPrecedence {
            let position = current.position
            for _ in 0..<count { advance() }
            let rhs = try parseBinary(minimumPrecedence: precedence + 1)
            lhs = try make(.binary(op, lhs, rhs), at: position, start: lhs.start)
        }
        return lhs
    }

    private mutating func parsePrefix() throws(DiagnosticError) -> TemplateExpression {
        let token = current
        switch token.kind {
        case .name("not"):
            advance()
            try enter(at: token.position)
            defer { nesting -= 1 }
            let operand = try parseBinary(minimumPrecedence: 4)
            return try make(.unary(.not, operand), at: token.position, start: token.position)
        case .symbol("-"), .symbol("+"):
            // As in Jinja, a sign binds tighter than filters and tests: `-x | abs` is `(-x) | abs`.
            return try parsePostfix(try parseSigned(), filters: true)
        default:
            return try parsePostfix(try parsePrimary(), filters: true)
        }
    }

    /// `-x`, `+x`, `- -x`: a sign applied to a primary with keys and indexes, without filters.
    private mutating func parseSigned() throws(DiagnosticError) -> TemplateExpression {
        let token = current
        guard token.kind == .symbol("-") || token.kind == .symbol("+") else {
            return try parsePostfix(try parsePrimary(), filters: false)
        }
        advance()
        try enter(at: token.position)
        defer { nesting -= 1 }
        let operand = try parseSigned()
        let isMinus = token.kind == .symbol("-")
        // Fold signs into number literals so `-1` is a literal.
        if case .literal(let value) = operand.kind {
            switch value {
            case .int(let i) where isMinus && i != Int.min:
                return try make(.literal(.int(-i)), at: token.position, start: token.position)
            case .double(let d) where isMinus:
                return try make(.literal(.double(-d)), at: token.position, start: token.position)
            default: break
            }
        }
        return try make(.unary(isMinus ? .negate : .plus, operand), at: token.position, start: token.position)
    }

    private mutating func parsePrimary() throws(DiagnosticError) -> TemplateExpression {
        let token = current
        switch token.kind {
        case .name(let name):
            let literal: Value?
            switch name {
            case "true", "True": literal = .bool(true)
            case "false", "False": literal = .bool(false)
            case "none", "None", "null": literal = .null
            default:
                if Self.keywords.contains(name) { throw error("expected an expression", at: token.position) }
                literal = nil
            }
            advance()
            if let literal { return try make(.literal(literal), at: token.position, start: token.position) }
            return try make(.variable(name), at: token.position, start: token.position)
        case .integer(let value):
            advance()
            return try make(.literal(.int(value)), at: token.position, start: token.position)
        case .number(let value):
            advance()
            return try make(.literal(.double(value)), at: token.position, start: token.position)
        case .string(let value):
            advance()
            return try make(.literal(.string(value)), at: token.position, start: token.position)
        case .symbol("("):
            advance()
            try enter(at: token.position)
            defer { nesting -= 1 }
            var inner = try parseExpression()
            try expect(")", closing: token)
            inner.start = token.position
            return inner
        case .symbol("["):
            advance()
            try enter(at: token.position)
            defer { nesting -= 1 }
            var items: [TemplateExpression] = []
            while !isSymbol("]") {
                items.append(try parseExpression())
                guard isSymbol(",") else { break }
                advance()
            }
            try expect("]", closing: token)
            return try make(.list(items), at: token.position, start: token.position)
        default:
            throw error("expected an expression", at: token.position)
        }
    }

    private mutating func parsePostfix(_ base: TemplateExpression, filters: Bool) throws(DiagnosticError)
        -> TemplateExpression
    {
        var expression = base
        while true {
            let token = current
            switch token.kind {
            case .symbol("|") where !filters, .name("is") where !filters:
                return expression
            case .symbol("."):
                advance()
                guard case .name(let name) = current.kind else {
                    throw error("expected a key name after '.', found \(current.display)", at: current.position)
                }
                let position = current.position
                advance()
                expression = try make(.attribute(expression, name), at: position, start: expression.start)
            case .symbol("["):
                advance()
                try enter(at: token.position)
                let index = try parseExpression()
                try expect("]", closing: token)
                nesting -= 1
                expression = try make(.index(expression, index), at: index.start, start: expression.start)
            case .symbol("|"):
                advance()
                expression = try parseFilter(on: expression)
            case .name("is"):
                advance()
                var negated = false
                if isName("not") {
                    negated = true
                    advance()
                }
                guard case .name(let name) = current.kind else {
                    throw error("expected a test name after 'is', found \(current.display)", at: current.position)
                }
                let position = current.position
                advance()
                if !TemplatePredicates.names.contains(name) {
                    diagnostics.append(
                        TemplateDiagnostics.error(
                            TemplateDiagnostics.unknownTest, "unknown test '\(TemplateDiagnostics.shown(name))'",
                            at: position,
                            in: file, suggestion: TemplateDiagnostics.didYouMean(name, in: TemplatePredicates.names)))
                }
                expression = try make(
                    .test(expression, name: name, negated: negated), at: position, start: expression.start)
            default:
                return expression
            }
        }
    }

    private mutating func parseFilter(on base: TemplateExpression) throws(DiagnosticError) -> TemplateExpression {
        guard case .name(let name) = current.kind else {
            throw error("expected a filter name after '|', found \(current.display)", at: current.position)
        }
        let namePosition = current.position
        advance()
        var positional: [TemplateExpression] = []
        var named: [(name: String, position: TemplatePosition, value: TemplateExpression)] = []
        if isSymbol("(") {
            let open = current
            advance()
            try enter(at: open.position)
            while !isSymbol(")") {
                if case .name(let argumentName) = current.kind, peekKind(1) == .symbol("=") {
                    let position = current.position
                    advance()
                    advance()
                    named.append((argumentName, position, try parseExpression()))
                } else {
                    let value = try parseExpression()
                    if !named.isEmpty {
                        throw error("a positional argument cannot follow a named argument", at: value.start)
                    }
                    positional.append(value)
                }
                guard isSymbol(",") else { break }
                advance()
            }
            try expect(")", closing: open)
            nesting -= 1
        }

        guard let signature = TemplateFilters.signaturesByName[name] else {
            diagnostics.append(
                TemplateDiagnostics.error(
                    TemplateDiagnostics.unknownFilter, "unknown filter '\(TemplateDiagnostics.shown(name))'",
                    at: namePosition,
                    in: file, suggestion: TemplateDiagnostics.didYouMean(name, in: TemplateFilters.names)))
            let call = TemplateExpression.FilterCall(
                name: name, position: namePosition, arguments: positional.map { $0 })
            return try make(.filter(base, call), at: namePosition, start: base.start)
        }

        let parameters = signature.parameters
        var slots = [TemplateExpression?](repeating: nil, count: parameters.count)
        func argumentError(_ message: String, at position: TemplatePosition, suggestion: String? = nil) -> Diagnostic {
            TemplateDiagnostics.error(
                TemplateDiagnostics.filterArgument, "'\(name)' \(message)", at: position, in: file,
                suggestion: suggestion)
        }
        for (i, value) in positional.enumerated() {
            if i < parameters.count {
                slots[i] = value
            } else {
                let message =
                    parameters.isEmpty
                    ? "takes no arguments"
                    : "takes at most \(parameters.count) argument\(parameters.count == 1 ? "" : "s"), "
                        + "got \(positional.count)"
                diagnostics.append(argumentError(message, at: value.start))
                break
            }
        }
        for argument in named {
            guard let slot = parameters.firstIndex(where: { $0.name == argument.name }) else {
                let message =
                    parameters.isEmpty
                    ? "takes no arguments" : "has no argument named '\(TemplateDiagnostics.shown(argument.name))'"
                diagnostics.append(
                    argumentError(
                        message, at: argument.position,
                        suggestion: TemplateDiagnostics.didYouMean(argument.name, in: parameters.map(\.name))))
                continue
            }
            if slots[slot] != nil {
                diagnostics.append(argumentError("got argument '\(argument.name)' twice", at: argument.position))
                continue
            }
            slots[slot] = argument.value
        }
        for (i, parameter) in parameters.enumerated() where slots[i] == nil && parameter.defaultValue == nil {
            diagnostics.append(argumentError("is missing argument '\(parameter.name)'", at: namePosition))
        }
        let call = TemplateExpression.FilterCall(name: name, position: namePosition, arguments: slots)
        return try make(.filter(base, call), at: namePosition, start: base.start)
    }
}
