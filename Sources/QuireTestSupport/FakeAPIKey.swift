/// OpenAI-style keys for the tests that check a key never leaks: `sk-FAKE-<tail>`, the shape the
/// secret scrubber redacts. Assembled here so that no key-shaped literal sits in the sources, where a
/// scan for committed keys could not tell it from a real one.
public func fakeAPIKey(_ tail: String) -> String {
    ["sk", "FAKE", tail].joined(separator: "-")
}
