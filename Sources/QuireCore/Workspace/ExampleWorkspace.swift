/// The example workspace that `quire init` writes: the same files as the repository's own example.
public enum ExampleWorkspace {
    /// Paths in the order they are written.
    public static var paths: [String] { files.keys.sorted() }
}
