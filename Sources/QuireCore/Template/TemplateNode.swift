/// One node of a parsed template body.
enum TemplateNode: Sendable {
    case text(String)
    /// `{{ expression }}`
    case output(TemplateExpression)
    /// `{% if %}…{% elif %}…{% else %}…{% endif %}`
    case conditional([TemplateBranch], otherwise: [TemplateNode]?)
    /// `{% for %}…{% else %}…{% endfor %}`
    case loop(TemplateLoop)
    /// `{% set name = expression %}`
    case assignment(name: String, value: TemplateExpression)
    /// `{% include "name" %}`
    case include(name: String, position: TemplatePosition)
}

struct TemplateBranch: Sendable {
    var condition: TemplateExpression
    var body: [TemplateNode]
}

struct TemplateLoop: Sendable {
    /// One name (`for x in xs`) or two (`for key, value in object`).
    var variables: [String]
    var iterable: TemplateExpression
    var body: [TemplateNode]
    /// Rendered when the iterable is empty.
    var otherwise: [TemplateNode]?
}
