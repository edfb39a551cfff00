/// Finding a run by its id or a prefix of it (`quire show 20261122-0930`), and what to say when that fails.
public enum RunIDLookup: Sendable, Hashable {
    /// The run, named by its whole id or by a prefix only it has.
    case found(String)
    /// The prefix is shared by several runs: say so, and list them.
    case ambiguous(message: String)
    /// No run has this id or prefix.
    case unknown

    /// At most this many ids are listed for an ambiguous prefix.
    public static let listed = 10

    /// `matches` are the ids of the runs that start with `id`, newest first.
    public init(_ id: String, matches: [String]) {
        if matches.contains(id) {
            self = .found(id)
        } else if matches.count == 1 {
            self = .found(matches[0])
        } else if matches.isEmpty {
            self = .unknown
        } else {
            var list = matches.prefix(Self.listed).joined(separator: ", ")
            if matches.count > Self.listed { list += ", … and \(matches.count - Self.listed) more" }
            self = .ambiguous(message: "'\(id)' matches \(matches.count) runs; give more of the id: \(list)")
        }
    }
}
