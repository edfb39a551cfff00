import Testing

@testable import QuireCore

@Suite("JSON Schema subset")
struct JSONSchemaTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var schema: String
        var instance: String
        var violations: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "type ok", schema: #"{"type": "string"}"#, instance: #""x""#, violations: []),
        Case(
            name: "type mismatch", schema: #"{"type": "integer"}"#, instance: #""3""#,
            violations: ["$: expected integer, got string"]),
        Case(name: "1.0 is an integer", schema: #"{"type": "integer"}"#, instance: "1.0", violations: []),
        Case(
            name: "1.5 is not an integer", schema: #"{"type": "integer"}"#, instance: "1.5",
            violations: ["$: expected integer, got number"]),
        Case(name: "integers are numbers", schema: #"{"type": "number"}"#, instance: "3", violations: []),
        Case(
            name: "type list", schema: #"{"type": ["string", "null"]}"#, instance: "true",
            violations: ["$: expected string or null, got boolean"]),
        Case(
            name: "nested paths",
            schema: #"""
                {"type": "object", "required": ["items"], "properties": {"items": {"type": "array",
                 "items": {"type": "object", "required": ["title", "rating"],
                  "properties": {"title": {"type": "string"}, "rating": {"type": "integer"}}}}}}
                """#,
            instance:
                #"{"items": [{"title": "a", "rating": 1}, {"title": "b", "rating": 2}, {"title": 3, "rating": "5"}, {}]}"#,
            violations: [
                "$.items[2].rating: expected integer, got string",
                "$.items[2].title: expected string, got integer",
                "$.items[3]: missing required property 'title'",
                "$.items[3]: missing required property 'rating'",
            ]),
        Case(
            name: "odd keys are quoted", schema: #"{"properties": {"a b": {"type": "string"}}}"#,
            instance: #"{"a b": 1}"#, violations: [#"$["a b"]: expected string, got integer"#]),
        Case(
            name: "additionalProperties false",
            schema: #"{"properties": {"a": {}}, "additionalProperties": false}"#,
            instance: #"{"a": 1, "b": 2, "c": 3}"#,
            violations: [
                "$.b: unexpected property (additionalProperties is false)",
                "$.c: unexpected property (additionalProperties is false)",
            ]),
        Case(
            name: "additionalProperties schema", schema: #"{"additionalProperties": {"type": "number"}}"#,
            instance: #"{"a": 1, "b": "x"}"#, violations: ["$.b: expected number, got string"]),
        Case(
            name: "array sizes", schema: #"{"minItems": 2, "maxItems": 3}"#, instance: "[1]",
            violations: ["$: expected at least 2 items, got 1"]),
        Case(
            name: "max items", schema: #"{"maxItems": 1}"#, instance: "[1, 2]",
            violations: ["$: expected at most 1 item, got 2"]),
        Case(
            name: "unique items", schema: #"{"uniqueItems": true}"#,
            instance: #"[1, "a", 1.0, {"k": [1]}, {"k": [1]}]"#,
            violations: ["$[2]: duplicate of $[0]", "$[4]: duplicate of $[3]"]),
        Case(
            name: "enum", schema: #"{"enum": ["draft", "final", 3]}"#, instance: #""done""#,
            violations: [#"$: expected one of "draft", "final", 3, got "done""#]),
        Case(name: "enum matches numbers by value", schema: #"{"enum": [1, 2]}"#, instance: "2.0", violations: []),
        Case(
            name: "const", schema: #"{"const": {"a": 1}}"#, instance: #"{"a": 2}"#,
            violations: [#"$: expected {"a":1}, got {"a":2}"#]),
        Case(
            name: "numeric limits", schema: #"{"minimum": 1, "maximum": 5, "exclusiveMaximum": 5}"#, instance: "5",
            violations: ["$: expected a number < 5, got 5"]),
        Case(
            name: "minimum", schema: #"{"minimum": 1.5}"#, instance: "1",
            violations: ["$: expected a number >= 1.5, got 1"]),
        Case(
            name: "exclusive minimum", schema: #"{"exclusiveMinimum": 0}"#, instance: "0",
            violations: ["$: expected a number > 0, got 0"]),
        Case(
            name: "multipleOf", schema: #"{"multipleOf": 0.5}"#, instance: "[1.5, 1.2]",
            violations: []),
        Case(
            name: "multipleOf items", schema: #"{"items": {"multipleOf": 0.5}}"#, instance: "[1.5, 1.2, 4]",
            violations: ["$[1]: expected a multiple of 0.5, got 1.2"]),
        Case(
            name: "string lengths count characters", schema: #"{"minLength": 2, "maxLength": 3}"#, instance: #""é""#,
            violations: ["$: expected at least 2 characters, got 1"]),
        Case(
            name: "pattern is unanchored", schema: #"{"pattern": "[0-9]{3}"}"#, instance: #""ab123c""#, violations: []),
        Case(
            name: "pattern mismatch", schema: #"{"pattern": "^[a-z]+$"}"#, instance: #""Abc""#,
            violations: [#"$: expected a string matching '^[a-z]+$', got "Abc""#]),
        Case(
            name: "keywords for other types are ignored", schema: #"{"minLength": 3, "minimum": 3}"#,
            instance: "[]", violations: []),
        Case(
            name: "anyOf", schema: #"{"anyOf": [{"type": "string"}, {"type": "null"}]}"#, instance: "1",
            violations: [
                "$: does not match any schema in anyOf (#1: expected string, got integer; #2: expected null, got integer)"
            ]),
        Case(
            name: "anyOf ok", schema: #"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#, instance: "1",
            violations: []),
        Case(
            name: "oneOf with two matches", schema: #"{"oneOf": [{"type": "number"}, {"type": "integer"}]}"#,
            instance: "1", violations: ["$: matches 2 schemas in oneOf (#1, #2), expected exactly one"]),
        Case(
            name: "oneOf with none", schema: #"{"oneOf": [{"required": ["a"]}, {"required": ["b", "c"]}]}"#,
            instance: "{}",
            violations: [
                "$: does not match any schema in oneOf (#1: missing required property 'a'; #2: missing required property 'b' (+1 more))"
            ]),
        Case(
            name: "allOf", schema: #"{"allOf": [{"minimum": 2}, {"maximum": 0}]}"#, instance: "1",
            violations: ["$: expected a number >= 2, got 1", "$: expected a number <= 0, got 1"]),
        Case(
            name: "not", schema: #"{"not": {"type": "null"}}"#, instance: "null",
            violations: ["$: must not match the schema in 'not'"]),
        Case(name: "true schema", schema: "true", instance: "[1]", violations: []),
        Case(
            name: "false schema", schema: #"{"properties": {"x": false}}"#, instance: #"{"x": 1}"#,
            violations: ["$.x: no value is allowed here (the schema is false)"]),
        Case(name: "unknown keywords are ignored", schema: #"{"require": ["a"]}"#, instance: "{}", violations: []),
    ]

    @Test("validate", arguments: cases)
    func validate(_ c: Case) throws {
        let schema = try JSONText.decode(c.schema)
        let instance = try JSONText.decode(c.instance)
        #expect(JSONSchema(schema).validate(instance).map(\.description) == c.violations)
    }

    @Test("every violation of a large array is reported")
    func manyViolations() {
        let items = Value.list((0..<100).map { .int($0) })
        let violations = JSONSchema.validate(items, against: ["items": ["maximum": 49]])
        #expect(violations.count == 50)
        #expect(violations.first?.path.description == "$[50]")
    }

    @Test("top-level type")
    func topLevelType() {
        #expect(JSONSchema(["type": "array"]).topLevelType == "array")
        #expect(JSONSchema(["type": ["array", "null"]]).topLevelType == nil)
        #expect(JSONSchema(true).topLevelType == nil)
    }

    struct SchemaCheck: CustomTestStringConvertible, Sendable {
        var schema: String
        var issues: [String]
        var testDescription: String { schema }
    }

    @Test(
        "validateSchema",
        arguments: [
            SchemaCheck(
                schema:
                    #"{"type": "object", "title": "T", "description": "d", "$schema": "x", "properties": {"a": {"type": "string"}}}"#,
                issues: []),
            SchemaCheck(
                schema: #"{"require": ["a"]}"#,
                issues: [
                    "$.require: warning: unknown keyword 'require' is ignored; did you mean 'required'? [schema.unknown-keyword]"
                ]),
            SchemaCheck(
                schema: ##"{"properties": {"a": {"$ref": "#/x", "format": "email"}}}"##,
                issues: [
                    #"$.properties.a["$ref"]: warning: keyword '$ref' is not supported by Quire and is ignored [schema.unsupported-keyword]"#,
                    "$.properties.a.format: warning: keyword 'format' is not supported by Quire and is ignored [schema.unsupported-keyword]",
                ]),
            SchemaCheck(
                schema: #"{"type": "strng"}"#,
                issues: [
                    "$.type: error: unknown type 'strng' (expected one of string, integer, number, boolean, array, object, null); did you mean 'string'? [schema.invalid]"
                ]),
            SchemaCheck(
                schema: #"{"items": {"type": ["int", "null"]}}"#,
                issues: [
                    "$.items.type[0]: error: unknown type 'int' (expected one of string, integer, number, boolean, array, object, null); did you mean 'integer'? [schema.invalid]"
                ]),
            SchemaCheck(
                schema: #"{"minItems": -1, "maximum": "3", "exclusiveMinimum": true, "required": "a", "enum": 3}"#,
                issues: [
                    "$.enum: error: 'enum' must be a list of allowed values [schema.invalid]",
                    "$.exclusiveMinimum: error: 'exclusiveMinimum' must be a number, got true (the boolean form is from draft 4; write the limit itself) [schema.invalid]",
                    "$.maximum: error: 'maximum' must be a number, got \"3\" [schema.invalid]",
                    "$.minItems: error: 'minItems' must be a non-negative integer, got -1 [schema.invalid]",
                    "$.required: error: 'required' must be a list of property names [schema.invalid]",
                ]),
            SchemaCheck(
                schema: #"{"anyOf": [], "oneOf": [{"type": 1}], "items": [{}], "not": 3}"#,
                issues: [
                    "$.anyOf: error: 'anyOf' must be a non-empty list of schemas [schema.invalid]",
                    "$.items: error: 'items' must be one schema for every item (the list form is not supported) [schema.invalid]",
                    "$.not: error: a schema must be an object or a boolean, got integer [schema.invalid]",
                    "$.oneOf[0].type: error: a type must be a string, got integer [schema.invalid]",
                ]),
            SchemaCheck(
                schema: #"{"properties": {"title": {}}, "required": ["titel"], "additionalProperties": false}"#,
                issues: [
                    "$.required[0]: error: required property 'titel' is not in 'properties' and additionalProperties is false; did you mean 'title'? [schema.invalid]"
                ]),
        ])
    func validateSchema(_ check: SchemaCheck) throws {
        let issues = JSONSchema.validateSchema(try JSONText.decode(check.schema))
        #expect(issues.map(\.description) == check.issues)
    }

    @Test("an invalid pattern is an error that says why")
    func invalidPattern() throws {
        let issues = JSONSchema.validateSchema(["pattern": "(abc"])
        #expect(issues.count == 1)
        #expect(issues.first?.id == "schema.invalid")
        #expect(issues.first?.message == "invalid regular expression '(abc': expected ')'")
    }

    @Test("a schema issue becomes a located diagnostic")
    func diagnostic() {
        let issue = SchemaIssue(.warning, id: "schema.unknown-keyword", path: .root, message: "m", suggestion: "s")
        let location = SourceLocation(file: "w.yaml", line: 3, column: 5)
        #expect(
            issue.diagnostic(at: location) == .warning("schema.unknown-keyword", "m", at: location, suggestion: "s"))
    }
}

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("keys are sorted, indentation is two spaces, numbers are normalized")
    func normalize() throws {
        let text = #"{"b": [1, 2.0, {"d": null, "c": true}], "a": "x\u00e9", "e": {}, "f": []}"#
        let expected = """
            {
              "a": "xé",
              "b": [
                1,
                2,
                {
                  "c": true,
                  "d": null
                }
              ],
              "e": {},
              "f": []
            }
            """
        #expect(try CanonicalJSON.normalize(text) == expected)
    }

    @Test("key order and whitespace do not matter")
    func equal() throws {
        #expect(try CanonicalJSON.equal(#"{"a":1,"b":[1,2]}"#, "{\n  \"b\": [1, 2], \"a\": 1.0\n}"))
        #expect(try !CanonicalJSON.equal(#"[1, 2]"#, #"[2, 1]"#))
    }

    @Test("invalid JSON throws with a position")
    func invalid() {
        #expect(throws: JSONParseError(message: "expected ',' or '}' in an object", line: 2, column: 1)) {
            try CanonicalJSON.normalize("{\"a\": 1\n\"b\": 2}")
        }
    }
}
