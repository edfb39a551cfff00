/// Finds the variables a template reads from its context, without rendering it.
///
/// Loop variables, `loop` inside a `for`, and names assigned with `set` (from the `set` onwards, in
/// its scope) are not free. A use is guarded when it sits under `| default(…)` or an `is defined` /
/// `is undefined` test, or inside a branch that only runs when its root variable is defined
/// (`{% if x is defined %}`, `{% if x is defined and … %}`, the `else` of `{% if x is not defined %}`).
struct TemplateVariableAnalysis {
    let file: String
    private(set) var uses: [TemplateVariableUse] = []
    /// Names bound by `for` and `set`, innermost scope last.
    private var scopes: [Set<String>] = [[]]
    /// Root names known to be defined here.
    private var defined: Set<String> = []

    init(file: String) { self.file = file }

    mutating func analyze(_ nodes: [TemplateNode]) {
        for node in nodes {
            switch node {
            case .text, .include:
                break
            case .output(let expression):
                visit(expression, guarded: false)
            case .conditional(let branches, let otherwise):
                let saved = defined
                var negatives: Set<String> = []
                for branch in branches {
                    defined = saved.union(negatives)
                    visit(branch.condition, guarded: false)
                    let facts = Self.facts(branch.condition)
                    defined = saved.union(negatives).union(facts.ifTrue)
                    analyze(branch.body)
                    negatives.formUnion(facts.ifFalse)
                }
                if let otherwise {
                    defined = saved.union(negatives)
                    analyze(otherwise)
                }
                defined = saved
            case .loop(let loop):
                visit(loop.iterable, guarded: false)
                scopes.append(Set(loop.variables + ["loop"]))
                analyze(loop.body)
                scopes.removeLast()
                if let otherwise = loop.otherwise { analyze(otherwise) }
            case .assignment(let name, let value):
                visit(value, guarded: false)
                scopes[scopes.count - 1].insert(name)
            }
        }
    }

    private func isBound(_ name: String) -> Bool {
        scopes.contains { $0.contains(name) }
    }

    /// Root names known defined when `expression` is truthy / falsy.
    static func facts(_ expression: TemplateExpression) -> (ifTrue: Set<String>, ifFalse: Set<String>) {
        switch expression.kind {
        case .test(let base, let name, let negated) where name == "defined" || name == "undefined":
            guard let root = rootName(base) else { return ([], []) }
            return (name == "defined") != negated ? ([root], []) : ([], [root])
        case .unary(.not, let operand):
            let inner = facts(operand)
            return (inner.ifFalse, inner.ifTrue)
        case .binary(.and, let lhs, let rhs):
            let a = facts(lhs), b = facts(rhs)
            return (a.ifTrue.union(b.ifTrue), a.ifFalse.intersection(b.ifFalse))
        case .binary(.or, let lhs, let rhs):
            let a = facts(lhs), b = facts(rhs)
            return (a.ifTrue.intersection(b.ifTrue), a.ifFalse.union(b.ifFalse))
        default:
            return ([], [])
        }
    }

    /// The variable at the root of `a.b[0].c`, if the expression is such a chain.
    static func rootName(_ expression: TemplateExpression) -> String? {
        var current = expression
        while true {
            switch current.kind {
            case .variable(let name): return name
            case .attribute(let base, _), .index(let base, _): current = base
            default: return nil
            }
        }
    }

    private mutating func visit(_ expression: TemplateExpression, guarded: Bool) {
        switch expression.kind {
        case .literal:
            break
        case .list(let items):
            for item in items { visit(item, guarded: guarded) }
        case .variable, .attribute, .index:
            visitChain(expression, guarded: guarded)
        case .unary(_, let operand):
            visit(operand, guarded: guarded)
        case .binary(let op, let lhs, let rhs):
            visit(lhs, guarded: guarded)
            let saved = defined
            if op == .and { defined.formUnion(Self.facts(lhs).ifTrue) }
            if op == .or { defined.formUnion(Self.facts(lhs).ifFalse) }
            visit(rhs, guarded: guarded)
            defined = saved
        case .filter(let base, let call):
            visit(base, guarded: guarded || call.name == "default")
            for argument in call.arguments { if let argument { visit(argument, guarded: guarded) } }
        case .test(let base, let name, _):
            visit(base, guarded: guarded || name == "defined" || name == "undefined")
        case .conditional(let value, let condition, let otherwise):
            let saved = defined
            let facts = Self.facts(condition)
            defined = saved.union(facts.ifTrue)
            visit(value, guarded: guarded)
            defined = saved
            visit(condition, guarded: guarded)
            if let otherwise {
                defined = saved.union(facts.ifFalse)
                visit(otherwise, guarded: guarded)
                defined = saved
            }
        }
    }

    /// Records one use for a chain such as `plan.sections[i].title` (path `plan.sections`), then
    /// visits the computed indexes in it.
    private mutating func visitChain(_ expression: TemplateExpression, guarded: Bool) {
        var links: [TemplateExpression] = []
        var current = expression
        while true {
            switch current.kind {
            case .attribute(let base, _), .index(let base, _):
                links.append(current)
                current = base
                continue
            default:
                break
            }
            break
        }
        links.reverse()
        if case .variable(let name) = current.kind {
            if !isBound(name) {
                var path = name
                pathLoop: for link in links {
                    switch link.kind {
                    case .attribute(_, let key):
                        path += ".\(key)"
                    case .index(_, let index):
                        switch index.kind {
                        case .literal(.int(let i)): path += "[\(i)]"
                        case .literal(.string(let key)): path += "[\(JSONText.encode(.string(key), pretty: false))]"
                        default: break pathLoop
                        }
                    default:
                        break pathLoop
                    }
                }
                uses.append(
                    TemplateVariableUse(
                        name: name, path: path, location: current.position.location(in: file),
                        isGuarded: guarded || defined.contains(name)))
            }
        } else {
            visit(current, guarded: guarded)
        }
        for link in links {
            if case .index(_, let index) = link.kind { visit(index, guarded: guarded) }
        }
    }
}
