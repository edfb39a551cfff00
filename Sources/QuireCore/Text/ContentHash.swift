import Crypto
import Foundation

/// SHA-256 content hashes, as lowercase hex. Used for prompt versions, rendered requests and goldens.
public enum ContentHash {
    public static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of some bytes (a request hash is taken per model call: no String(format:) per byte).
    static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(64)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    public static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }
}
