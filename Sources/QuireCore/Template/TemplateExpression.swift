/// An expression inside `{{ … }}` or a block tag.
struct TemplateExpression: Sendable {
    indirect enum Kind: Sendable {
        case literal(Value)
        case list([TemplateExpression])
        case variable(String)
        /// `base.name`
        case attribute(TemplateExpression, String)
        /// `base[index]`
        case index(TemplateExpression, TemplateExpression)
        case unary(UnaryOperator, TemplateExpression)
        case binary(BinaryOperator, TemplateExpression, TemplateExpression)
        /// `base | name(arguments)`
        case filter(TemplateExpression, FilterCall)
        /// `base is [not] name`
        case test(TemplateExpression, name: String, negated: Bool)
        /// `value if condition [else otherwise]`
        case conditional(TemplateExpression, condition: TemplateExpression, otherwise: TemplateExpression?)
    }

    enum UnaryOperator: String, Sendable {
        case not
        case negate = "-"
        case plus = "+"
    }

    enum BinaryOperator: String, Sendable {
        case or, and
        case equal = "==", notEqual = "!=", less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
        case `in`, notIn = "not in"
        case add = "+", subtract = "-", concat = "~"
        case multiply = "*", divide = "/", modulo = "%"
    }

    struct FilterCall: Sendable {
        var name: String
        var position: TemplatePosition
        /// One slot per parameter of the filter's signature; nil means the parameter's default.
        var arguments: [TemplateExpression?]
    }

    var kind: Kind
    /// The token errors point at: the variable, attribute name, operator, filter name, or `[` of an index.
    var position: TemplatePosition
    /// Where the expression starts in the source.
    var start: TemplatePosition
    /// Height of the syntax tree, bounded by `TemplateLimits.maxExpressionDepth`.
    var depth: Int

    /// The dotted path this expression reads, such as `plan.sections[0].title`, if it is a plain
    /// variable access with literal indexes; used in messages.
    var path: String? {
        switch kind {
        case .variable(let name): return name
        case .attribute(let base, let name): return base.path.map { "\($0).\(name)" }
        case .index(let base, let index):
            guard let basePath = base.path else { return nil }
            switch index.kind {
            case .literal(.int(let i)): return "\(basePath)[\(i)]"
            case .literal(.string(let key)): return "\(basePath)[\(JSONText.encode(.string(key), pretty: false))]"
            default: return nil
            }
        default: return nil
        }
    }
}

extension TemplateExpression.Kind {
    /// The greatest depth among the direct children (0 for leaves), without allocating.
    var childDepth: Int {
        switch self {
        case .literal, .variable: 0
        case .list(let items): items.reduce(0) { max($0, $1.depth) }
        case .attribute(let base, _): base.depth
        case .index(let base, let index): max(base.depth, index.depth)
        case .unary(_, let operand): operand.depth
        case .binary(_, let lhs, let rhs): max(lhs.depth, rhs.depth)
        case .filter(let base, let call): call.arguments.reduce(base.depth) { max($0, $1?.depth ?? 0) }
        case .test(let base, _, _): base.depth
        case .conditional(let value, let condition, let otherwise):
            max(value.depth, condition.depth, otherwise?.depth ?? 0)
        }
    }
}
