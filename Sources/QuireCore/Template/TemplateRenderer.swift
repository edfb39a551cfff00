/// Renders a parsed template in one pass, appending to a single string.
///
/// Scoping follows Jinja: each loop iteration and each include gets its own scope, so a `set` inside
/// them does not leak out; a `set` inside an `if` belongs to the enclosing scope.
struct TemplateRenderer {
    struct Scope {
        var variables: [String: Value] = [:]
        var first: (name: String, value: Value)?
        var second: (name: String, value: Value)?
        var loop: LoopState?
    }

    struct LoopState {
        var index0: Int
        var length: Int

        var value: Value {
            .object([
                "index": .int(index0 + 1), "index0": .int(index0), "first": .bool(index0 == 0),
                "last": .bool(index0 == length - 1), "length": .int(length), "revindex": .int(length - index0),
                "revindex0": .int(length - index0 - 1),
            ])
        }
    }

    let context: [String: Value]
    let resolver: any TemplateIncludeResolver
    private(set) var output = ""
    /// The file of the template being rendered (changes inside includes).
    var file: String
    var scopes: [Scope] = [Scope()]
    private var includeStack: [String] = []
    private var includeCache: [String: Template] = [:]
    private var nesting = 0
    private var work = 0
    /// The latest loop or output position, for errors about plain text (which has no position).
    private var lastPosition = TemplatePosition(line: 1, column: 1)

    init(context: [String: Value], resolver: any TemplateIncludeResolver, file: String) {
        self.context = context
        self.resolver = resolver
        self.file = file
    }

    func location(_ position: TemplatePosition) -> SourceLocation { position.location(in: file) }

    func failure(
        _ id: String, _ message: String, at position: TemplatePosition, notes: [String] = [], suggestion: String? = nil
    )
        -> DiagnosticError
    {
        DiagnosticError(.error(id, message, at: location(position), notes: notes, suggestion: suggestion))
    }

    /// Counts work against `TemplateLimits.maxWork`, so that no template can run for long.
    mutating func charge(_ units: Int, at position: TemplatePosition) throws(DiagnosticError) {
        work += units
        if work > TemplateLimits.maxWork {
            throw failure(
                TemplateDiagnostics.tooLarge,
                "rendering exceeds the work limit (\(TemplateLimits.maxWork) steps); "
                    + "the template loops or copies too much",
                at: position)
        }
    }

    /// Charges the elements of a list or object that an operation is about to walk.
    mutating func chargeElements(of value: Value, at position: TemplatePosition) throws(DiagnosticError) {
        switch value {
        case .list, .object:
            let remaining = max(0, TemplateLimits.maxWork - work)
            try charge(TemplateValues.measure(value, limit: remaining).elements, at: position)
        default:
            break
        }
    }

    // MARK: - Nodes

    mutating func render(_ nodes: [TemplateNode]) throws(DiagnosticError) {
        for node in nodes {
            switch node {
            case .text(let text):
                try append(text, at: lastPosition)
            case .output(let expression):
                lastPosition = expression.start
                let value = try evaluate(expression)
                try chargeElements(of: value, at: expression.start)
                try append(value.renderedText, at: expression.start)
            case .conditional(let branches, let otherwise):
                try renderConditional(branches, otherwise: otherwise)
            case .loop(let loop):
                try renderLoop(loop)
            case .assignment(let name, let expression):
                let value = try evaluate(expression)
                scopes[scopes.count - 1].variables[name] = value
            case .include(let name, let position):
                try renderInclude(name, at: position)
            }
        }
    }

    private mutating func append(_ text: String, at position: TemplatePosition) throws(DiagnosticError) {
        if output.utf8.count + text.utf8.count > TemplateLimits.maxTextBytes {
            throw DiagnosticError(
                .error(
                    TemplateDiagnostics.tooLarge, "rendered text exceeds the limit of 16 MiB",
                    at: location(position)))
        }
        output += text
    }

    private mutating func enterBlock(at position: TemplatePosition) throws(DiagnosticError) {
        nesting += 1
        if nesting > TemplateLimits.maxNesting {
            throw failure(
                TemplateDiagnostics.tooDeep,
                "blocks and includes nested more than \(TemplateLimits.maxNesting) levels deep", at: position)
        }
    }

    private mutating func renderConditional(_ branches: [TemplateBranch], otherwise: [TemplateNode]?)
        throws(DiagnosticError)
    {
        for branch in branches {
            if try evaluate(branch.condition).isTruthy {
                try enterBlock(at: branch.condition.start)
                try render(branch.body)
                nesting -= 1
                return
            }
        }
        if let otherwise, let first = branches.first {
            try enterBlock(at: first.condition.start)
            try render(otherwise)
            nesting -= 1
        }
    }

    private mutating func renderLoop(_ loop: TemplateLoop) throws(DiagnosticError) {
        let iterable = try evaluate(loop.iterable)
        let position = loop.iterable.start
        lastPosition = position
        var pairs: [(Value, Value?)] = []
        switch iterable {
        case .list(let items):
            if loop.variables.count == 2 {
                pairs.reserveCapacity(items.count)
                for (i, item) in items.enumerated() {
                    guard case .list(let pair) = item, pair.count == 2 else {
                        throw failure(
                            TemplateDiagnostics.typeError,
                            "cannot unpack item \(i) (\(TemplateValues.withArticle(item))) "
                                + "into '\(loop.variables[0])' and '\(loop.variables[1])'",
                            at: position, notes: ["two loop variables need an object, or a list of two-item lists"])
                    }
                    pairs.append((pair[0], pair[1]))
                }
            } else {
                pairs = items.map { ($0, nil) }
            }
        case .object(let object):
            pairs = object.keys.sorted().map { (.string($0), object[$0]) }
        default:
            let suggestion: String? =
                iterable.stringValue != nil ? "use '| lines' to loop over the lines of a string" : nil
            throw failure(
                TemplateDiagnostics.typeError, "cannot iterate over \(iterable.typeName)", at: position,
                suggestion: suggestion)
        }
        try enterBlock(at: position)
        defer { nesting -= 1 }
        if pairs.isEmpty {
            if let otherwise = loop.otherwise { try render(otherwise) }
            return
        }
        let names = loop.variables
        for (i, pair) in pairs.enumerated() {
            try charge(1, at: position)
            var scope = Scope(loop: LoopState(index0: i, length: pairs.count))
            scope.first = (names[0], pair.0)
            if names.count == 2 { scope.second = (names[1], pair.1 ?? .null) }
            scopes.append(scope)
            try render(loop.body)
            scopes.removeLast()
        }
    }

    private mutating func renderInclude(_ name: String, at position: TemplatePosition) throws(DiagnosticError) {
        let includedFrom = location(position)
        if let start = includeStack.firstIndex(of: name) {
            let chain = (includeStack[start...] + [name]).map { "'\(TemplateDiagnostics.shown($0))'" }
                .joined(separator: " -> ")
            throw failure(TemplateDiagnostics.includeCycle, "include cycle: \(chain)", at: position)
        }
        if includeStack.count >= TemplateLimits.maxIncludeDepth {
            throw failure(
                TemplateDiagnostics.tooDeep, "includes nested more than \(TemplateLimits.maxIncludeDepth) levels deep",
                at: position)
        }
        let template: Template
        if let cached = includeCache[name] {
            template = cached
        } else {
            do throws(DiagnosticError) {
                template = try resolver.template(named: name, includedFrom: includedFrom)
            } catch {
                throw Self.noting(error, "included from \(includedFrom)", unlessAt: includedFrom)
            }
            includeCache[name] = template
        }
        try enterBlock(at: position)
        let savedFile = file
        let savedPosition = lastPosition
        includeStack.append(name)
        scopes.append(Scope())
        file = template.file
        lastPosition = TemplatePosition(line: 1, column: 1)
        do throws(DiagnosticError) {
            try render(template.nodes)
        } catch {
            throw Self.noting(error, "included from \(includedFrom)", unlessAt: includedFrom)
        }
        file = savedFile
        lastPosition = savedPosition
        scopes.removeLast()
        includeStack.removeLast()
        nesting -= 1
    }

    /// Adds a note to diagnostics located elsewhere than `location`.
    private static func noting(_ error: DiagnosticError, _ note: String, unlessAt location: SourceLocation)
        -> DiagnosticError
    {
        var error = error
        for i in error.diagnostics.indices where error.diagnostics[i].location != location {
            error.diagnostics[i].notes.append(note)
        }
        return error
    }

    // MARK: - Variables

    func lookup(_ name: String) -> Value? {
        var i = scopes.count - 1
        while i >= 0 {
            let scope = scopes[i]
            if let value = scope.variables[name] { return value }
            if let first = scope.first, first.name == name { return first.value }
            if let second = scope.second, second.name == name { return second.value }
            if name == "loop", let loop = scope.loop { return loop.value }
            i -= 1
        }
        return context[name]
    }

    /// Every name visible at this point, for "did you mean" suggestions.
    func visibleNames() -> Set<String> {
        var names = Set(context.keys)
        for scope in scopes {
            names.formUnion(scope.variables.keys)
            if let first = scope.first { names.insert(first.name) }
            if let second = scope.second { names.insert(second.name) }
            if scope.loop != nil { names.insert("loop") }
        }
        return names
    }
}
