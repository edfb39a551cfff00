/// The post-processors of a workflow step, applied in order to the model's raw output.
///
/// An empty pipeline leaves the output as text. Build one from a workflow's `post:` entry with
/// ``parse(_:)``, which reports every problem as a located diagnostic.
public struct PostPipeline: Sendable, Hashable, CustomStringConvertible {
    public var processors: [PostProcessor]

    public init(_ processors: [PostProcessor] = []) {
        self.processors = processors
    }

    /// Every post-processor name, in documentation order.
    public static var names: [String] { PostProcessor.names }

    /// What ``apply(to:)`` produces, known before any run: `.text` for an empty pipeline.
    public var outputShape: OutputShape {
        var shape: OutputShape? = .text
        for processor in processors {
            // A processor that cannot take its input (``parse(_:)`` rejects that) still says what it makes.
            shape =
                (try? processor.outputShape(from: shape).get()) ?? (try? processor.outputShape(from: nil).get()) ?? nil
        }
        return shape ?? .json(type: nil)
    }

    /// Each processor's stable description, for manifests: `["trim", "bullet_list"]`.
    public var descriptions: [String] { processors.map(\.description) }

    /// `trim | bullet_list`, or `(none)` for an empty pipeline.
    public var description: String {
        processors.isEmpty ? "(none)" : descriptions.joined(separator: " | ")
    }

    /// Runs every processor in order on a step's raw output.
    public func apply(to output: String) throws(PostProcessError) -> Value {
        var value = Value.string(output)
        for (position, processor) in processors.enumerated() {
            do {
                value = try processor.apply(to: value)
            } catch {
                throw PostProcessError(
                    processor: processor.name, position: position, message: error.message, details: error.details)
            }
        }
        return value
    }
}
