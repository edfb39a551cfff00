/// Builds the node tree from lexed pieces, with an explicit stack of open blocks (no recursion), and
/// collects as many syntax errors as it can.
struct TemplateParser {
    static let tagNames = ["if", "elif", "else", "endif", "for", "endfor", "set", "include", "raw", "endraw"]

    private struct Frame {
        enum Kind { case root, conditional, loop }

        var kind: Kind
        /// Position of the opening tag's name, e.g. `if`.
        var position: TemplatePosition
        var nodes: [TemplateNode] = []
        // `if`
        var branches: [TemplateBranch] = []
        var condition: TemplateExpression?
        var inElse = false
        // `for`
        var variables: [String] = []
        var iterable: TemplateExpression?
        var loopBody: [TemplateNode]?

        var tagName: String {
            switch kind {
            case .root: ""
            case .conditional: "if"
            case .loop: "for"
            }
        }
    }

    let file: String
    let scalars: [Unicode.Scalar]
    /// The end of the template, for "unexpected end of template" errors.
    let endPosition: TemplatePosition
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var includes: [TemplateInclude] = []
    private var stack: [Frame]
    private var stopped = false

    init(file: String, scalars: [Unicode.Scalar], endPosition: TemplatePosition) {
        self.file = file
        self.scalars = scalars
        self.endPosition = endPosition
        self.stack = [Frame(kind: .root, position: TemplatePosition(line: 1, column: 1))]
    }

    mutating func parse(_ pieces: [TemplateLexer.Piece], lexerErrors: Int) -> [TemplateNode] {
        for piece in pieces {
            if stopped || diagnostics.count + lexerErrors >= TemplateLimits.maxErrors {
                stopped = true
                break
            }
            switch piece {
            case .text(let text):
                guard text.start < text.end else { continue }
                // Encoding the slice to UTF-8 first avoids UnicodeScalarView's slow generic append,
                // which was half of the parse time of prose-heavy templates.
                var utf8: [UInt8] = []
                utf8.reserveCapacity((text.end - text.start) * 2)
                for scalar in scalars[text.start..<text.end] { utf8.append(contentsOf: UTF8.encode(scalar)!) }
                appendText(String(decoding: utf8, as: UTF8.self))
            case .tag(let tag):
                handle(tag)
            }
        }
        if !stopped {
            while stack.count > 1 {
                let frame = stack[stack.count - 1]
                report(
                    "unexpected end of template: '{% \(frame.tagName) %}' opened at \(frame.position) is not closed",
                    at: endPosition)
                closeTop()
            }
        }
        return stack[0].nodes
    }

    // MARK: - Helpers

    private mutating func report(
        _ message: String, at position: TemplatePosition, id: String = TemplateDiagnostics.syntax,
        notes: [String] = [], suggestion: String? = nil
    ) {
        diagnostics.append(
            TemplateDiagnostics.error(id, message, at: position, in: file, notes: notes, suggestion: suggestion))
    }

    private mutating func append(_ node: TemplateNode) {
        stack[stack.count - 1].nodes.append(node)
    }

    /// Appends text, merging it into a preceding text node in place (amortized linear).
    private mutating func appendText(_ text: String) {
        let top = stack.count - 1
        if case .text? = stack[top].nodes.last, case .text(var previous) = stack[top].nodes.removeLast() {
            previous += text
            stack[top].nodes.append(.text(previous))
        } else {
            stack[top].nodes.append(.text(text))
        }
    }

    private mutating func push(_ frame: Frame) {
        guard stack.count <= TemplateLimits.maxNesting else {
            report(
                "blocks nested more than \(TemplateLimits.maxNesting) levels deep", at: frame.position,
                id: TemplateDiagnostics.tooDeep)
            stopped = true
            return
        }
        stack.append(frame)
    }

    /// Pops the innermost open block and appends it, as a node, to its parent.
    private mutating func closeTop() {
        var frame = stack.removeLast()
        switch frame.kind {
        case .root:
            stack.append(frame)
        case .conditional:
            if !frame.inElse, let condition = frame.condition {
                frame.branches.append(TemplateBranch(condition: condition, body: frame.nodes))
            }
            append(.conditional(frame.branches, otherwise: frame.inElse ? frame.nodes : nil))
        case .loop:
            let body = frame.loopBody ?? frame.nodes
            let otherwise = frame.loopBody == nil ? nil : frame.nodes
            if let iterable = frame.iterable {
                append(
                    .loop(
                        TemplateLoop(variables: frame.variables, iterable: iterable, body: body, otherwise: otherwise)))
            }
        }
    }

    /// Runs an expression parser over the tag's tokens, collecting its non-fatal diagnostics.
    private mutating func withExpressionParser<T>(
        _ tag: TemplateLexer.Tag, from index: Int,
        _ body: (inout TemplateExpressionParser) throws(DiagnosticError) -> T
    ) -> T? {
        var parser = TemplateExpressionParser(tokens: tag.tokens, file: file, startingAt: index)
        do throws(DiagnosticError) {
            let result = try body(&parser)
            if !tag.isBroken { diagnostics += parser.diagnostics }
            return result
        } catch {
            if !tag.isBroken {
                diagnostics += parser.diagnostics
                diagnostics += error.diagnostics
            }
            return nil
        }
    }

    /// A placeholder for a condition or iterable that failed to parse, so the block structure survives.
    private func placeholder(at position: TemplatePosition) -> TemplateExpression {
        TemplateExpression(kind: .literal(.null), position: position, start: position, depth: 1)
    }

    // MARK: - Tags

    private mutating func handle(_ tag: TemplateLexer.Tag) {
        switch tag.kind {
        case .comment:
            return
        case .output:
            if tag.isBroken { return }
            let expression = withExpressionParser(tag, from: 0) { (parser) throws(DiagnosticError) in
                let expression = try parser.parseExpression()
                try parser.expectEnd()
                return expression
            }
            if let expression { append(.output(expression)) }
        case .block:
            if tag.isRawDelimiter { return }
            handleBlock(tag)
        }
    }

    private mutating func handleBlock(_ tag: TemplateLexer.Tag) {
        let first = tag.tokens[0]
        guard case .name(let name) = first.kind else {
            if !tag.isBroken {
                report(
                    first.kind == .end ? "expected a tag name" : "expected a tag name, found \(first.display)",
                    at: first.position)
            }
            return
        }
        let position = first.position
        // Blocks are identified by their opening `{%` in messages ("opened at 3:1").
        let opened = tag.position
        switch name {
        case "if":
            let condition = withExpressionParser(tag, from: 1) { (parser) throws(DiagnosticError) in
                let condition = try parser.parseExpression()
                try parser.expectEnd()
                return condition
            }
            push(Frame(kind: .conditional, position: opened, condition: condition ?? placeholder(at: position)))
        case "elif":
            let condition = withExpressionParser(tag, from: 1) { (parser) throws(DiagnosticError) in
                let condition = try parser.parseExpression()
                try parser.expectEnd()
                return condition
            }
            let top = stack.count - 1
            guard stack[top].kind == .conditional else {
                if stack[top].kind == .loop {
                    report(
                        "unexpected '{% elif %}' inside '{% for %}' opened at \(stack[top].position)", at: position)
                } else {
                    report(unexpected("elif", expecting: "if"), at: position)
                }
                return
            }
            if stack[top].inElse {
                report(
                    "unexpected '{% elif %}' after '{% else %}' in '{% if %}' opened at \(stack[top].position)",
                    at: position)
                return
            }
            if let previous = stack[top].condition {
                stack[top].branches.append(TemplateBranch(condition: previous, body: stack[top].nodes))
            }
            stack[top].nodes = []
            stack[top].condition = condition ?? placeholder(at: position)
        case "else":
            expectEnd(of: tag, name: name)
            let top = stack.count - 1
            switch stack[top].kind {
            case .root:
                report("unexpected '{% else %}': no '{% if %}' or '{% for %}' is open", at: position)
            case .conditional:
                if stack[top].inElse {
                    report(
                        "unexpected second '{% else %}' in '{% if %}' opened at \(stack[top].position)", at: position)
                    return
                }
                if let condition = stack[top].condition {
                    stack[top].branches.append(TemplateBranch(condition: condition, body: stack[top].nodes))
                }
                stack[top].nodes = []
                stack[top].inElse = true
            case .loop:
                if stack[top].loopBody != nil {
                    report(
                        "unexpected second '{% else %}' in '{% for %}' opened at \(stack[top].position)", at: position)
                    return
                }
                stack[top].loopBody = stack[top].nodes
                stack[top].nodes = []
            }
        case "endif":
            expectEnd(of: tag, name: name)
            close(.conditional, endTag: name, at: position)
        case "for":
            parseFor(tag, at: position, opened: opened)
        case "endfor":
            expectEnd(of: tag, name: name)
            close(.loop, endTag: name, at: position)
        case "set":
            parseSet(tag, at: position)
        case "include":
            parseInclude(tag, at: position)
        case "endraw":
            if !tag.isBroken { report("unexpected '{% endraw %}': no '{% raw %}' is open", at: position) }
        case "raw":
            expectEnd(of: tag, name: name)
        default:
            if !tag.isBroken {
                report(
                    "unknown tag '\(TemplateDiagnostics.shown(name))'", at: position,
                    notes: [
                        "Quire templates have the tags: if, elif, else, endif, for, endfor, set, include, raw, endraw"
                    ],
                    suggestion: TemplateDiagnostics.didYouMean(name, in: Self.tagNames))
            }
        }
    }

    private func unexpected(_ name: String, expecting opener: String) -> String {
        "unexpected '{% \(name) %}': no '{% \(opener) %}' is open"
    }

    /// Reports tokens after a tag name that takes none (`{% endif x %}`).
    private mutating func expectEnd(of tag: TemplateLexer.Tag, name: String) {
        guard !tag.isBroken, tag.tokens.count > 1, tag.tokens[1].kind != .end else { return }
        report(
            "expected the end of the tag after '\(name)', found \(tag.tokens[1].display)", at: tag.tokens[1].position)
    }

    private mutating func close(_ kind: Frame.Kind, endTag: String, at position: TemplatePosition) {
        guard let target = stack.lastIndex(where: { $0.kind == kind }), target > 0 else {
            report(unexpected(endTag, expecting: kind == .loop ? "for" : "if"), at: position)
            return
        }
        while stack.count - 1 > target {
            let frame = stack[stack.count - 1]
            report(
                "'{% \(frame.tagName) %}' opened at \(frame.position) is not closed before '{% \(endTag) %}'",
                at: position)
            closeTop()
        }
        closeTop()
    }

    private mutating func parseFor(_ tag: TemplateLexer.Tag, at position: TemplatePosition, opened: TemplatePosition) {
        var variables: [String] = []
        let iterable = withExpressionParser(tag, from: 1) { (parser) throws(DiagnosticError) in
            while true {
                guard case .name(let name) = parser.current.kind, !TemplateExpressionParser.keywords.contains(name)
                else {
                    throw parser.error(
                        "expected a loop variable name, found \(parser.current.display)", at: parser.current.position)
                }
                if name == "loop" {
                    throw parser.error(
                        "'loop' cannot be a loop variable: it holds the loop's index and length",
                        at: parser.current.position)
                }
                if variables.contains(name) {
                    throw parser.error(
                        "loop variable '\(TemplateDiagnostics.shown(name))' appears twice", at: parser.current.position)
                }
                variables.append(name)
                parser.advance()
                guard parser.isSymbol(","), variables.count < 2 else { break }
                parser.advance()
            }
            guard parser.isName("in") else {
                throw parser.error("expected 'in', found \(parser.current.display)", at: parser.current.position)
            }
            parser.advance()
            let iterable = try parser.parseOperand()
            if parser.isName("if") {
                throw parser.error(
                    "loop filters ('for x in xs if …') are not supported; put an '{% if %}' inside the loop",
                    at: parser.current.position)
            }
            try parser.expectEnd()
            return iterable
        }
        push(
            Frame(
                kind: .loop, position: opened, variables: variables.isEmpty ? ["_"] : variables,
                iterable: iterable ?? placeholder(at: position)))
    }

    private mutating func parseSet(_ tag: TemplateLexer.Tag, at position: TemplatePosition) {
        var target = ""
        let value = withExpressionParser(tag, from: 1) { (parser) throws(DiagnosticError) in
            guard case .name(let name) = parser.current.kind, !TemplateExpressionParser.keywords.contains(name) else {
                throw parser.error(
                    "expected a variable name, found \(parser.current.display)", at: parser.current.position)
            }
            if name == "loop" {
                throw parser.error(
                    "cannot assign to 'loop': it is reserved for loop information", at: parser.current.position)
            }
            target = name
            parser.advance()
            guard parser.isSymbol("=") else {
                throw parser.error("expected '=', found \(parser.current.display)", at: parser.current.position)
            }
            parser.advance()
            let value = try parser.parseExpression()
            try parser.expectEnd()
            return value
        }
        if let value { append(.assignment(name: target, value: value)) }
    }

    private mutating func parseInclude(_ tag: TemplateLexer.Tag, at position: TemplatePosition) {
        let include = withExpressionParser(tag, from: 1) { (parser) throws(DiagnosticError) in
            guard case .string(let name) = parser.current.kind else {
                throw parser.error(
                    "expected a quoted template name after 'include', found \(parser.current.display)",
                    at: parser.current.position)
            }
            let namePosition = parser.current.position
            parser.advance()
            try parser.expectEnd()
            return (name, namePosition)
        }
        guard let (name, namePosition) = include else { return }
        includes.append(TemplateInclude(name: name, location: namePosition.location(in: file)))
        append(.include(name: name, position: namePosition))
    }
}
