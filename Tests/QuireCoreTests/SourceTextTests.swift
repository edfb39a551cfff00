import Foundation
import Testing
@testable import QuireCore

@Suite("Decoding workspace files")
struct SourceTextTests {
    @Test func invalidUTF8IsLocated() {
        var bytes = Array("line one\nline ".utf8)
        bytes += [0xC3, 0x28]
        guard case .failure(let error) = SourceText.decode(Data(bytes), file: "p.prompt") else {
            Issue.record("expected failure")
            return
        }
        #expect(error.diagnostics[0].description == "p.prompt:2:6: error: file is not valid UTF-8 (byte 0xC3) [file.invalid-utf8]")
    }

    @Test func nulBytesMeanBinary() {
        guard case .failure(let error) = SourceText.decode(Data([0x61, 0x0A, 0x62, 0x00]), file: "b.yaml") else {
            Issue.record("expected failure")
            return
        }
        #expect(error.diagnostics[0].description == "b.yaml:2:2: error: file contains a NUL byte; is it a binary file? [file.binary]")
    }

    @Test func byteOrderMarkIsDropped() throws {
        let text = try SourceText.decode(Data([0xEF, 0xBB, 0xBF, 0x61]), file: "x").get()
        #expect(text == "a")
    }

    @Test func hugeFilesAreRefused() {
        let data = Data(count: SourceText.maxBytes + 1)
        guard case .failure(let error) = SourceText.decode(data, file: "big.yaml") else {
            Issue.record("expected failure")
            return
        }
        #expect(error.diagnostics[0].id == "file.too-large")
    }

    @Test(arguments: [
        ([0xE2, 0x82], 0), ([0xED, 0xA0, 0x80], 0), ([0xF5, 0x80, 0x80, 0x80], 0), ([0x61, 0xC0, 0xAF], 1),
    ] as [([UInt8], Int)])
    func rejectsMalformedSequences(bytes: [UInt8], offset: Int) {
        #expect(SourceText.firstInvalidUTF8(bytes) == offset)
    }

    @Test func acceptsMultiByteText() {
        #expect(SourceText.firstInvalidUTF8(Array("héllo ✓ 𝄞".utf8)) == nil)
    }
}
