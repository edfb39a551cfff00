import Foundation
import QuireCore
import QuireRunner

/// Shows a run's progress on stderr: one live line per step on a terminal (waiting, running,
/// done, failed, with elapsed time and tokens), or plain lines without escape codes otherwise.
final class ProgressPrinter: RunObserver, @unchecked Sendable {
    enum State { case waiting, running, done, failed, skipped, reused }

    struct Line {
        var state: State = .waiting
        var started: Date?
        var elapsed: TimeInterval?
        var tokens = 0
        var items: Int?
        var itemsDone = 0
        var retries = 0
        var cacheHits = 0
        var note = ""
    }

    private let lock = NSLock()
    private let order: [String]
    private var lines: [String: Line]
    private let live: Bool
    private let color: Bool
    private let stream: Bool
    private var drawn = 0
    private var lastStreamLabel: String?
    private var ticker: Task<Void, Never>?

    init(order: [String], live: Bool, color: Bool, stream: Bool) {
        self.order = order
        self.lines = Dictionary(uniqueKeysWithValues: order.map { ($0, Line()) })
        // Streamed text and a redrawn block do not mix: streaming falls back to plain lines.
        self.live = live && !stream
        self.color = color
        self.stream = stream
    }

    func start() {
        guard live else { return }
        lock.withLock { redraw() }
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard let self else { return }
                self.lock.withLock { self.redraw() }
            }
        }
    }

    func stop() {
        ticker?.cancel()
        ticker = nil
        lock.withLock {
            if live { redraw() }
            if stream && lastStreamLabel != nil { FileHandle.standardOutput.write(Data("\n".utf8)) }
        }
    }

    func handle(_ event: RunEvent) {
        lock.withLock {
            var plain: String?
            switch event {
            case .stepStarted(let id, let items):
                lines[id]?.state = .running
                lines[id]?.started = Date()
                lines[id]?.items = items
                plain = items.map { "\(id): running \($0) item\($0 == 1 ? "" : "s")" } ?? "\(id): running"
            case .stepReused(let id, let run):
                lines[id]?.state = .reused
                lines[id]?.note = run.map { "from \($0)" } ?? ""
                plain = "\(id): reused from \(run.map { "run \($0)" } ?? "the earlier attempt")"
            case .itemFinished(let step, let done, let total, let tokens):
                lines[step]?.itemsDone = done
                lines[step]?.tokens += tokens
                if !live && (done == total || total <= 20 || done % max(1, total / 10) == 0) { plain = "\(step): \(done)/\(total) items" }
            case .stepFinished(let id, let elapsed, let tokens, let retries, _):
                lines[id]?.state = .done
                lines[id]?.elapsed = Self.seconds(elapsed)
                lines[id]?.tokens = tokens
                lines[id]?.retries = retries
                let hits = lines[id]?.cacheHits ?? 0
                plain = "\(id): done in \(Self.format(Self.seconds(elapsed)))\(tokens > 0 ? ", \(tokens) tokens" : "")\(retries > 0 ? ", \(retries) retr\(retries == 1 ? "y" : "ies")" : "")\(Self.cacheNote(hits, items: lines[id]?.items).map { ", \($0)" } ?? "")"
            case .cacheHit(let step, _):
                lines[step]?.cacheHits += 1
            case .stepFailed(let id, let diagnostic):
                lines[id]?.state = .failed
                if let started = lines[id]?.started { lines[id]?.elapsed = Date().timeIntervalSince(started) }
                lines[id]?.note = diagnostic.id
                plain = "\(id): failed (\(diagnostic.id))"
            case .stepSkipped(let id, let blockers):
                lines[id]?.state = .skipped
                lines[id]?.note = "blocked by \(blockers.joined(separator: ", "))"
                plain = "\(id): skipped, blocked by \(blockers.joined(separator: ", "))"
            case .delta(let label, let text):
                if label != lastStreamLabel {
                    FileHandle.standardOutput.write(Data(((lastStreamLabel == nil ? "" : "\n") + "[\(label)] ").utf8))
                    lastStreamLabel = label
                }
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            case .warning(let diagnostic):
                if live { clear() }
                Console.err(DiagnosticFormatter(color: color).format(diagnostic))
                if live { drawn = 0; redraw() }
                return
            }
            if live { redraw() } else if let plain { Console.err(plain) }
        }
    }

    private func clear() {
        guard drawn > 0 else { return }
        FileHandle.standardError.write(Data("\u{1B}[\(drawn)A\u{1B}[J".utf8))
        drawn = 0
    }

    private func redraw() {
        clear()
        var text = ""
        for id in order {
            guard let line = lines[id] else { continue }
            text += render(id, line) + "\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
        drawn = order.count
    }

    private func render(_ id: String, _ line: Line) -> String {
        let elapsed = line.elapsed ?? line.started.map { Date().timeIntervalSince($0) }
        var status: String
        switch line.state {
        case .waiting: status = paint("waiting", "2")
        case .running: status = paint("running", "36")
        case .done: status = paint("done", "32")
        case .failed: status = paint("failed", "31")
        case .skipped: status = paint("skipped", "33")
        case .reused: status = paint("reused", "32")
        }
        if let items = line.items, line.state == .running || line.state == .failed { status += " \(line.itemsDone)/\(items)" }
        var text = "  \(id.padding(toLength: max(12, id.count), withPad: " ", startingAt: 0))  \(status)"
        if let elapsed, line.state != .waiting, line.state != .reused { text += "  \(Self.format(elapsed))" }
        if line.tokens > 0 { text += "  \(line.tokens) tokens" }
        if line.retries > 0 { text += "  \(line.retries) retr\(line.retries == 1 ? "y" : "ies")" }
        if let cached = Self.cacheNote(line.cacheHits, items: line.items) { text += "  " + paint(cached, "2") }
        if !line.note.isEmpty { text += "  " + paint(line.note, "2") }
        return text
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// "cached" for a step answered from the response cache, "2 of 3 cached" for a fan-out.
    static func cacheNote(_ hits: Int, items: Int?) -> String? {
        guard hits > 0 else { return nil }
        guard let items else { return "cached" }
        return hits == items ? "all \(items) cached" : "\(hits) of \(items) cached"
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ seconds: TimeInterval) -> String {
        seconds < 10 ? String(format: "%.2fs", seconds) : String(format: "%.1fs", seconds)
    }
}
