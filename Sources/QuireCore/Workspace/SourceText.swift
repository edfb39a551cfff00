import Foundation

/// Turns a workspace file's bytes into text, with located diagnostics for what a text file must not be.
public enum SourceText {
    /// Files larger than this are refused: prompts and workflows are hand-written.
    public static let maxBytes = 4 * 1024 * 1024

    public static func decode(_ data: Data, file: String) -> Result<String, DiagnosticError> {
        if data.count > maxBytes {
            let mib = String(format: "%.1f", Double(data.count) / 1_048_576)
            return .failure(DiagnosticError(.error(
                "file.too-large", "file is \(mib) MiB; the limit is \(maxBytes / 1_048_576) MiB", at: .file(file))))
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let nul = bytes.firstIndex(of: 0)
        let invalid = firstInvalidUTF8(bytes)
        if let nul, nul < (invalid ?? Int.max) {
            return .failure(DiagnosticError(.error(
                "file.binary", "file contains a NUL byte; is it a binary file?",
                at: location(ofByte: nul, in: bytes, file: file))))
        }
        if let bad = invalid {
            return .failure(DiagnosticError(.error(
                "file.invalid-utf8", "file is not valid UTF-8 (byte 0x\(String(format: "%02X", bytes[bad])))",
                at: location(ofByte: bad, in: bytes, file: file))))
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            if b < 0x80 { i += 1; continue }
            else if b & 0xE0 == 0xC0 && b >= 0xC2 { length = 2 }
            else if b & 0xF0 == 0xE0 { length = 3 }
            else if b & 0xF8 == 0xF0 && b <= 0xF4 { length = 4 }
            else { return i }
            guard i + length <= bytes.count else { return i }
            for j in 1..<length where bytes[i + j] & 0xC0 != 0x80 { return i }
            if length == 3 {
                let cp = (Int(b & 0x0F) << 12) | (Int(bytes[i + 1] & 0x3F) << 6)
                if cp < 0x800 || (0xD800...0xDFFF).contains(cp | Int(bytes[i + 2] & 0x3F)) { return i }
            }
            if length == 4 {
                let cp = (Int(b & 0x07) << 18) | (Int(bytes[i + 1] & 0x3F) << 12)
                if cp < 0x10000 || cp > 0x10FFFF { return i }
            }
            i += length
        }
        return nil
    }

    /// Line and column (in scalars) of a byte offset; the prefix before it is valid UTF-8 by construction.
    static func location(ofByte offset: Int, in bytes: [UInt8], file: String) -> SourceLocation {
        var line = 1, column = 1
        var i = 0
        while i < offset {
            let b = bytes[i]
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
