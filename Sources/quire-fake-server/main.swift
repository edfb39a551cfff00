// quire-fake-server: the test suite's fake OpenAI-compatible server as a process, for benchmarks.
//
// Binds 127.0.0.1 on a free port, prints the port on stdout (one line), serves until SIGTERM or SIGINT,
// then prints on stderr how many chat requests it answered and the most connections that were open at
// once (counted as they open), and exits 0. `--help` prints the usage below.
//
//   quire-fake-server [--latency benchmark|none|BASE_MS+PER_TOKEN_MS] [--plan-items N] [--words N]
//                     [--max-connections N] [--timeline FILE]
//
// Answers (deterministic):
// - a request whose system message starts with "You plan short technical reports" (the example
//   workspace's publishing-plan prompt) gets a bulleted list of --plan-items section titles;
// - every other request gets --words words of prose in two paragraphs.
// Latency follows QuireTestSupport.FakeLatency: `benchmark` is 200 ms + 2 ms per output token (word).
//
// --timeline FILE: at exit, writes one line per connection opened, request received and answer
// completed — `connected|received|answered <request index or -> <CLOCK_REALTIME nanoseconds>` — for
// lining up a benchmark's client-side time with what the server saw.
import Dispatch
import Foundation
import QuireCore
import QuireTestSupport

struct Arguments {
    var latency = FakeLatency.benchmark
    var planItems = 8
    var words = 120
    var maxConnections = 1024
    var timeline: String?

    struct Invalid: Error {
        var message: String
    }

    static func parse(_ arguments: [String]) -> Result<Arguments, Invalid> {
        var result = Arguments()
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return .failure(Invalid(message: "missing value after \(flag)")) }
            switch flag {
            case "--latency":
                switch value {
                case "benchmark": result.latency = .benchmark
                case "none": result.latency = .none
                default:
                    let parts = value.split(separator: "+").compactMap { Int($0) }
                    guard parts.count == 2, parts.allSatisfy({ $0 >= 0 }) else {
                        return .failure(
                            Invalid(message: "--latency wants benchmark, none or BASE_MS+PER_TOKEN_MS, not '\(value)'"))
                    }
                    result.latency = FakeLatency(base: .milliseconds(parts[0]), perToken: .milliseconds(parts[1]))
                }
            case "--timeline":
                result.timeline = value
            case "--plan-items", "--words", "--max-connections":
                guard let number = Int(value), number >= 1 else {
                    return .failure(Invalid(message: "\(flag) wants a positive integer"))
                }
                switch flag {
                case "--plan-items": result.planItems = number
                case "--words": result.words = number
                default: result.maxConnections = number
                }
            default:
                return .failure(Invalid(message: "unknown option \(flag)"))
            }
        }
        return .success(result)
    }
}

/// Deterministic answers: a plan for the planning prompt, prose for everything else.
enum Answers {
    static let planMarker = "You plan short technical reports"
    static let vocabulary = """
        the engine schedules each step once its inputs are ready and keeps results in plan order so a \
        reader sees the same report whichever call finished first while tasks wait on a shared limit
        """.split(separator: " ").map(String.init)

    static func plan(items: Int) -> String {
        (1...items).map { "- Part \($0): how the pieces fit together" }.joined(separator: "\n")
    }

    static func prose(words: Int, seed: Int) -> String {
        let text = (0..<words).map { vocabulary[($0 + seed) % vocabulary.count] }
        let half = words / 2
        if half == 0 { return text.joined(separator: " ") + "." }
        return text[..<half].joined(separator: " ") + ".\n\n" + text[half...].joined(separator: " ") + "."
    }

    static func respond(_ request: ReceivedRequest, planItems: Int, words: Int) -> FakeResponse {
        let messages = request.messages
        if let system = messages.first(where: { $0.role == "system" }), system.content.hasPrefix(planMarker) {
            return FakeResponse(plan(items: planItems))
        }
        let seed = request.lastUserMessage.utf8.count
        return FakeResponse(prose(words: words, seed: seed))
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("quire-fake-server: \(message)\n".utf8))
    exit(64)
}

let usage = """
    usage: quire-fake-server [--latency benchmark|none|BASE_MS+PER_TOKEN_MS] [--plan-items N] [--words N]
                             [--max-connections N] [--timeline FILE]

    A fake OpenAI-compatible Chat Completions server on 127.0.0.1 (a free port, printed on stdout) for
    Quire's benchmarks. Serves until SIGTERM or SIGINT.

      --latency          benchmark (200 ms + 2 ms per output token, the default), none, or BASE+PER_TOKEN in ms
      --plan-items N     items in the answer to the example's planning prompt (default 8)
      --words N          words of prose in every other answer (default 120)
      --max-connections  connections open at once before new ones are refused (default 1024)
      --timeline FILE    at exit, write when each connection opened and each request came and was answered
    """

if CommandLine.arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
    print(usage)
    exit(0)
}

let arguments: Arguments
switch Arguments.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let parsed): arguments = parsed
case .failure(let invalid): fail("\(invalid.message) (see --help)")
}

let server = FakeOpenAIServer(
    options: .init(
        latency: arguments.latency, maximumRecordedRequests: 64, maximumConnections: arguments.maxConnections,
        recordsTimeline: arguments.timeline != nil))
let planItems = arguments.planItems
let words = arguments.words
server.setResponder { Answers.respond($0, planItems: planItems, words: words) }

/// SIGTERM and SIGINT, delivered on a stream instead of ending the process. Keep the sources alive.
nonisolated func stopSignals() -> (AsyncStream<Int32>, [any DispatchSourceSignal]) {
    let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
    let sources = [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { @Sendable in continuation.yield(number) }
        source.resume()
        return source
    }
    return (signals, sources)
}

let (signals, signalSources) = stopSignals()
let port: Int
do {
    port = try await server.start()
} catch {
    fail("cannot start: \(error)")
}
FileHandle.standardOutput.write(Data("\(port)\n".utf8))

for await _ in signals { break }
for source in signalSources { source.cancel() }
// The most connections open at once: with keep-alive, how many a client opened in parallel. Counted
// as connections open (a 5 ms poll of it cost an idle server 2-3 % of a core, taken from the client
// it measures).
let peak = server.peakConnectionCount
await server.stop()
if let path = arguments.timeline {
    let text = server.timeline.map { $0.line + "\n" }.joined()
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    } catch {
        FileHandle.standardError.write(Data("quire-fake-server: cannot write the timeline to \(path): \(error)\n".utf8))
    }
}
FileHandle.standardError.write(
    Data(
        "quire-fake-server: answered \(server.chatRequestCount) chat requests; at most \(peak) connections open at once\n"
            .utf8))
exit(0)
