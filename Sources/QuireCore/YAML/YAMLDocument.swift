import Foundation
import Yams

/// Parses YAML text into ``YAMLNode``s with locations, and turns every libyaml problem into a located diagnostic.
///
/// Guards against hostile input before and while composing: nesting depth is bounded (deep flow
/// collections would otherwise exhaust the stack), and alias expansion is bounded by a node budget
/// (the "billion laughs" alias bomb).
public enum YAMLDocument {
    /// Maximum nesting of collections.
    public static let maxDepth = 100
    /// Maximum number of nodes after alias expansion.
    public static let maxNodes = 200_000

    /// Parses a single-document YAML text. An empty document gives `nil`.
    public static func parse(_ text: String, file: String) -> Result<YAMLNode?, DiagnosticError> {
        if let problem = depthProblem(in: text, file: file) { return .failure(DiagnosticError(problem)) }
        let root: Node?
        do {
            // No regular-expression resolver: plain scalars are typed by ``YAMLScalarResolver``. The
            // encoding is given: Yams' default reads the whole environment on every call.
            root = try Yams.compose(yaml: text, .basic, .default, .utf8)
        } catch let error as YamlError {
            return .failure(DiagnosticError(diagnostic(for: error, file: file, text: text)))
        } catch {
            return .failure(DiagnosticError(.error("yaml.syntax", "\(error)", at: .file(file))))
        }
        guard let root else { return .success(nil) }
        var budget = maxNodes
        do {
            return .success(try convert(root, file: file, depth: 0, budget: &budget))
        } catch {
            return .failure(DiagnosticError(error))
        }
    }

    private static func convert(_ node: Node, file: String, depth: Int, budget: inout Int) throws(Diagnostic) -> YAMLNode {
        budget -= 1
        let location = node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) } ?? .file(file)
        guard budget >= 0 else {
            throw .error(
                "yaml.too-large",
                "document expands to more than \(maxNodes) nodes (are aliases expanding recursively?)",
                at: location)
        }
        guard depth <= maxDepth else {
            throw .error("yaml.too-deep", "document is nested deeper than \(maxDepth) levels", at: location)
        }
        switch node {
        case .scalar(let scalar):
            let tag: YAMLNode.ScalarTag
            // `scalar.tag` is the tag as written: empty for a plain scalar without one (quoted
            // scalars carry `!!str`); `node.tag` would resolve it.
            switch scalar.tag.rawValue {
            case Tag.Name.implicit.rawValue: tag = YAMLScalarResolver.tag(of: scalar.string)
            case Tag.Name.null.rawValue: tag = .null
            case Tag.Name.bool.rawValue: tag = .bool
            case Tag.Name.int.rawValue: tag = .int
            case Tag.Name.float.rawValue: tag = .float
            default: tag = .string
            }
            return YAMLNode(.scalar(scalar.string, tag), at: location)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence {
                items.append(try convert(item, file: file, depth: depth + 1, budget: &budget))
            }
            return YAMLNode(.sequence(items), at: location)
        case .mapping(let mapping):
            var pairs: [YAMLPair] = []
            var seen: [String: SourceLocation] = [:]
            for (key, value) in mapping {
                let k = try convert(key, file: file, depth: depth + 1, budget: &budget)
                let v = try convert(value, file: file, depth: depth + 1, budget: &budget)
                if let text = k.scalarText {
                    if let first = seen[text] {
                        throw .error(
                            "yaml.duplicate-key", "duplicate key '\(text)'", at: k.location,
                            notes: ["first defined at \(first)"])
                    }
                    seen[text] = k.location
                }
                pairs.append(YAMLPair(key: k, value: v))
            }
            return YAMLNode(.mapping(pairs), at: location)
        case .alias:
            throw .error("yaml.syntax", "unresolved alias", at: location)
        }
    }

    /// A cheap scan for flow-collection nesting (`[[[[…`) and extreme indentation before libyaml's recursive
    /// composer sees the text.
    static func depthProblem(in text: String, file: String) -> Diagnostic? {
        var depth = 0, line = 1, column = 0
        var quote: Unicode.Scalar? = nil
        var inComment = false
        var lineStart = true, indent = 0
        var previous: Unicode.Scalar = " "
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            column += 1
            if scalar == "\n" {
                line += 1; column = 0; inComment = false; lineStart = true; indent = 0
                if quote == "'" || quote == "\"" { continue }
                continue
            }
            if lineStart {
                if scalar == " " {
                    indent += 1
                    if indent > maxDepth * 8 {
                        return .error(
                            "yaml.too-deep", "line is indented more than \(maxDepth * 8) columns",
                            at: SourceLocation(file: file, line: line, column: column))
                    }
                    continue
                }
                lineStart = false
            }
            if inComment { continue }
            if let q = quote {
                if scalar == q { quote = nil }
                continue
            }
            switch scalar {
            case "#": inComment = true
            case "\"", "'":
                // A quote opens a quoted scalar only at the start of a token, not inside a word.
                if " \t:[{,-?".unicodeScalars.contains(previous) || column == 1 { quote = scalar }
            case "[", "{":
                depth += 1
                if depth > maxDepth {
                    return .error(
                        "yaml.too-deep", "collections are nested deeper than \(maxDepth) levels",
                        at: SourceLocation(file: file, line: line, column: column))
                }
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }

    static func diagnostic(for error: YamlError, file: String, text: String) -> Diagnostic {
        func located(_ problem: String, _ mark: Mark, context: YamlError.Context?) -> Diagnostic {
            if let line = TextLines.line(mark.line, of: text), mark.column >= 1,
               line.unicodeScalars.count >= mark.column,
               Array(line.unicodeScalars)[mark.column - 1] == "\t" {
                return .error(
                    "yaml.tab", "a tab character here: YAML does not allow tabs for indentation; use spaces",
                    at: SourceLocation(file: file, line: mark.line, column: mark.column))
            }
            var message = problem
            if let context, !context.text.isEmpty { message = "\(problem) (\(context.text))" }
            return .error(
                "yaml.syntax", message, at: SourceLocation(file: file, line: mark.line, column: mark.column))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _): return located(problem, mark, context: context)
        case .parser(let context, let problem, let mark, _): return located(problem, mark, context: context)
        case .composer(let context, let problem, let mark, _): return located(problem, mark, context: context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .error(
                "yaml.duplicate-key", "duplicate key \(names) in one mapping; each key may appear once",
                at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        case .reader(let problem, let offset, _, _):
            let location = offset.map { Self.location(ofUTF8Offset: $0, in: text, file: file) } ?? .file(file)
            return .error("yaml.syntax", problem, at: location)
        default:
            return .error("yaml.syntax", "\(error)", at: .file(file))
        }
    }

    static func location(ofUTF8Offset offset: Int, in text: String, file: String) -> SourceLocation {
        var line = 1, column = 1, consumed = 0
        for scalar in text.unicodeScalars {
            if consumed >= offset { break }
            consumed += String(scalar).utf8.count
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
