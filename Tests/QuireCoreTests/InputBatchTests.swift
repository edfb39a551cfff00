import QuireCore
import Testing

@Suite("Input batches")
struct InputBatchTests {
    @Test func yamlListsOfMappingsWithCases() throws {
        let text = """
            - topic: Alpha
            - {topic: Beta, count: 3}
            - case: sqlite-wal
              audience: DBAs
            """
        let batch = try InputBatch.parse(text, path: "b.yaml").get()
        #expect(batch.entries.count == 3)
        #expect(batch.entries[0].values == ["topic": "Alpha"])
        #expect(batch.entries[1].values == ["topic": "Beta", "count": 3])
        #expect(batch.entries[2].caseName == "sqlite-wal")
        #expect(batch.entries[2].values == ["audience": "DBAs"])
        #expect(batch.entries[2].label == "3 (case sqlite-wal)")
        #expect(batch.entries[1].location == SourceLocation(file: "b.yaml", line: 2, column: 3))
    }

    @Test func jsonLinesSkipBlankLinesAndLocateErrors() throws {
        let batch = try InputBatch.parse("{\"topic\": \"A\"}\n\n{\"topic\": \"B\", \"case\": \"c\"}\n", path: "runs.jsonl").get()
        #expect(batch.entries.map(\.index) == [1, 2])
        #expect(batch.entries[1].caseName == "c")
        #expect(batch.entries[1].location?.line == 3)

        guard case .failure(let error) = InputBatch.parse("{\"topic\": \"A\"}\n[1, 2]\n{\"topic\": }\n", path: "runs.jsonl") else {
            Issue.record("bad JSON lines were accepted")
            return
        }
        #expect(error.diagnostics.map { $0.location?.line } == [2, 3])
        #expect(error.diagnostics[0].message.contains("got list"))
        #expect(error.diagnostics[1].location?.column == 11)
    }

    @Test func wrongShapesAreLocatedErrors() {
        let cases: [(String, String, Int)] = [
            ("topic: not a list\n", "a batch file holds a list of input mappings", 1),
            ("- topic: A\n- 42\n", "batch entry 2 must be a mapping", 2),
            ("- case: [x]\n", "'case' must be the name of a case", 1),
            ("[]\n", "lists no runs", 1),
            ("", "is empty", 1),
        ]
        for (text, message, line) in cases {
            guard case .failure(let error) = InputBatch.parse(text, path: "b.yaml") else {
                Issue.record("accepted: \(text)")
                continue
            }
            #expect(error.diagnostics.first?.message.contains(message) == true, "\(error.diagnostics)")
            #expect(error.diagnostics.first?.location?.line == line)
            #expect(error.diagnostics.allSatisfy { $0.id == "run.invalid-batch" || $0.id.hasPrefix("yaml.") })
        }
    }

    @Test func aThousandEntriesAtMost() {
        let text = String(repeating: "- {topic: x}\n", count: InputBatch.maximumEntries + 1)
        guard case .failure(let error) = InputBatch.parse(text, path: "big.yaml") else {
            Issue.record("accepted \(InputBatch.maximumEntries + 1) entries")
            return
        }
        #expect(error.diagnostics.first?.message.contains("at most 1000") == true)
    }
}
