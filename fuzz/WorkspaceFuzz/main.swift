// libFuzzer target: the workspace loader and validator over an in-memory file system.
//
// The input is split into up to four files at lines that are exactly `%%%%`:
//   workflows/w.yaml, prompts/writer/v1.prompt, quire.yaml, prompts/partials/style.md
// (a seed with fewer parts leaves the rest out). The workspace is loaded and validated, and each
// workflow that plans is rendered as `quire render` previews it. Any diagnostic is fine; a crash,
// a hang or a runaway allocation is a bug. Built and run by `scripts/fuzz workspace`.
import Foundation
import QuireCore

let paths = ["workflows/w.yaml", "prompts/writer/v1.prompt", "quire.yaml", "prompts/partials/style.md"]
let separator = Array("\n%%%%\n".utf8)

func split(_ bytes: UnsafeBufferPointer<UInt8>) -> [Data] {
    var parts: [Data] = []
    var start = 0
    var index = 0
    while index + separator.count <= bytes.count, parts.count < paths.count - 1 {
        if bytes[index] == separator[0], Array(bytes[index..<index + separator.count]) == separator {
            parts.append(Data(bytes[start..<index]))
            index += separator.count
            start = index
        } else {
            index += 1
        }
    }
    parts.append(Data(bytes[start..<bytes.count]))
    return parts
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWorkspace(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = split(UnsafeBufferPointer(start: data, count: size))
    var files: [String: Data] = [:]
    for (path, content) in zip(paths, parts) { files[path] = content }
    let workspace = WorkspaceLoader(fileSystem: InMemoryFileSystem(files: files)).load()
    let result = WorkspaceValidator(workspace: workspace).validate()
    guard !result.diagnostics.hasErrors else { return 0 }
    for name in result.analyses.keys.sorted() {
        guard let analysis = result.analyses[name] else { continue }
        let inputs = Dictionary(uniqueKeysWithValues: analysis.workflow.inputs.map { ($0.name, Value.string("x")) })
        _ = RenderPreview(workspace: workspace, analysis: analysis).entries(inputs: inputs)
    }
    return 0
}
