import QuireCore

/// Receives a run's manifest each time the run store writes it, to keep a run history up to date
/// (the `quire` command plugs in the SQLite history; the runner knows nothing about it).
///
/// Called inside the run store, one call at a time; it must not throw: a history that cannot be
/// written warns and lets the run go on.
public protocol RunHistorySink: Sendable {
    /// - Parameters:
    ///   - manifest: the manifest's JSON, exactly as written to `manifest.json`.
    ///   - folder: the run folder, relative to the workspace root.
    ///   - changedSteps: the steps whose records changed since the last call; nil when any may have.
    func record(manifest: Value, folder: String, changedSteps: Set<String>?)
}
