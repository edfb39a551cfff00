import QuireCore

/// How a run ended.
public struct RunOutcome: Sendable {
    public var status: RunManifest.Status
    /// Errors and warnings raised while running (not the validation ones).
    public var diagnostics: [Diagnostic]
    /// Outputs of finished steps, by step id.
    public var outputs: [String: Value]
    public var manifest: RunManifest
}
