/// Key-order-free JSON comparison: parse, then print with sorted keys and two-space indentation.
public enum CanonicalJSON {
    /// Re-encodes JSON text canonically: object keys sorted, two-space indentation, no trailing newline.
    ///
    /// Numbers go through ``Value``: an integral number written with a fraction or exponent
    /// (`1.0`, `1e2`) prints as an integer (`1`, `100`), so numerically equal documents normalize
    /// equally. Whitespace and key order do not survive; everything else does.
    public static func normalize(_ text: String) throws(JSONParseError) -> String {
        JSONText.encode(try JSONText.decode(text), pretty: true)
    }

    /// Whether two JSON texts are equal after ``normalize(_:)``.
    public static func equal(_ a: String, _ b: String) throws(JSONParseError) -> Bool {
        try normalize(a) == normalize(b)
    }
}
