import Foundation
import QuireCore

/// Deterministic, realistic answers to the example workspace's prompts (`publishing-plan`,
/// `section-writer`, `review-extract`, `review-digest`), written by hand for the example's cases.
///
/// They stand in for a model when the example's goldens and recordings are made (see
/// CONTRIBUTING.md), so the checked-in recordings read like real answers: plans are bulleted lists,
/// review facts are JSON that matches the workflow's schema. Requests it does not know get a plausible
/// generic answer of the same form.
public enum ExampleResponder {
    /// The answer to a chat request's messages.
    public static func answer(_ messages: [(role: String, content: String)]) -> String {
        let system = messages.first { $0.role == "system" }?.content ?? ""
        let user = messages.last { $0.role == "user" }?.content ?? ""
        if system.hasPrefix("You plan short technical reports") { return plan(user) }
        if system.hasPrefix("You write one section of a report about ") { return section(system: system, user: user) }
        if system.hasPrefix("You extract facts from product reviews") { return facts(user) }
        if system.hasPrefix("You summarise customer feedback") { return digest }
        return "I can help with that. Could you say a little more about what you need?"
    }

    public static func answer(_ messages: [ChatMessage]) -> String {
        answer(messages.map { ($0.role.rawValue, $0.content) })
    }

    // MARK: - publishing-plan

    static let plans: [String: [String]] = [
        "Structured concurrency in Swift": [
            "Why unstructured tasks leak work",
            "async let and task groups",
            "Cancellation flows down the task tree",
            "Testing concurrent code deterministically",
        ],
        "How SQLite's write-ahead log works": [
            "Rollback journal versus write-ahead log",
            "What happens on a commit",
            "Readers, snapshots and the wal-index",
            "Checkpoints and keeping the WAL small",
        ],
    ]

    static func plan(_ user: String) -> String {
        // "Plan a report about <topic> with <n> sections."
        let topic = between(user, "Plan a report about ", " with ") ?? "the topic"
        let titles = plans[topic] ?? ["What \(topic) is", "How it works", "Common mistakes", "Where to go next"]
        return titles.map { "- \($0)" }.joined(separator: "\n")
    }

    // MARK: - section-writer

    static let sections: [String: String] = [
        "Why unstructured tasks leak work": """
            A `Task { }` started from a view model keeps running after the screen that started it is gone. Nothing \
            waits for it and nothing cancels it, so a slow network call can still write into state that no longer \
            matters, and an error it throws is silently dropped.

            Structured concurrency ties every child task to the scope that created it. When the scope ends, its \
            children have finished or been cancelled, so the lifetime of work is visible in the shape of the code.
            """,
        "async let and task groups": """
            Use `async let` when you know the number of child tasks while writing the code: `async let profile = \
            fetchProfile()` and `async let feed = fetchFeed()` run at the same time, and `await (profile, feed)` \
            collects both.

            When the number depends on data, use `withThrowingTaskGroup`. Add one child per item, bound how many \
            run at once by adding the next child only as one finishes, and gather results keyed by item so their \
            order does not depend on which finished first.
            """,
        "Cancellation flows down the task tree": """
            Cancelling a task marks it and all of its children as cancelled; it does not stop them. Each child \
            checks `Task.isCancelled` or calls `try Task.checkCancellation()` at points where stopping is safe, \
            and cancellation-aware APIs such as `Task.sleep` throw `CancellationError` on their own.

            If one child of a throwing task group fails, the group cancels the others before rethrowing. Clean-up \
            that must run either way belongs in `defer` or in `withTaskCancellationHandler`.
            """,
        "Testing concurrent code deterministically": """
            Tests that sleep for a second and hope the work is done are slow and flaky. Inject a clock instead, so \
            a test can advance time by exactly the amount a retry or timeout waits for, and nothing waits for real.

            Make the order of results independent of timing: collect child results by key, not by completion \
            order. Then the same test gives the same answer on a fast laptop and a loaded CI machine.
            """,
        "Rollback journal versus write-ahead log": """
            In rollback-journal mode SQLite copies the original pages to a journal file before changing the \
            database in place; a crash is undone by copying them back. Readers and the writer block each other \
            while the change is written.

            In WAL mode the database file is left alone during a transaction. Changed pages are appended to the \
            `-wal` file instead, which lets readers keep reading the old pages while a writer appends new ones.
            """,
        "What happens on a commit": """
            A transaction appends a frame for every page it changed to the WAL, and the last frame carries a \
            commit marker. With `synchronous=FULL` the WAL is synced to disk at that point; the database file \
            itself is not touched.

            This makes commits cheap: one sequential append and, usually, one fsync. A crash before the commit \
            frame is written simply leaves frames that recovery ignores.
            """,
        "Readers, snapshots and the wal-index": """
            When a read transaction starts, it remembers the last valid commit frame in the WAL. Every page it \
            reads comes from the newest copy at or before that frame, so it sees a consistent snapshot even while \
            a writer keeps appending.

            Finding the newest copy of a page quickly is the job of the wal-index, a shared-memory hash table in \
            the `-shm` file. It maps page numbers to WAL frames and is rebuilt from the WAL after a crash.
            """,
        "Checkpoints and keeping the WAL small": """
            A checkpoint copies the newest version of each page from the WAL back into the database file. By \
            default SQLite runs one when the WAL passes 1000 pages, but it can only reset the WAL once no reader \
            still needs the old frames.

            A long-running read transaction therefore lets the WAL grow without limit. Keep reads short, and run \
            `PRAGMA wal_checkpoint(TRUNCATE)` during quiet periods if the file size matters.
            """,
    ]

    static func section(system: String, user: String) -> String {
        let title = between(user, "Write the section \"", "\" (section ") ?? "this section"
        if let text = sections[title] { return text }
        let topic = between(system, "You write one section of a report about ", ".\n") ?? "the topic"
        return """
            \(title) is the part of \(topic) that most readers meet first. Start from a small, concrete example \
            and name the one idea it shows before adding detail.

            Then show where the idea stops working, and what to reach for instead. A short checklist at the end \
            helps readers apply it to their own code.
            """
    }

    // MARK: - review-extract and review-digest

    static let reviewFacts: [String: String] = [
        "Boils fast and the handle stays cool. The lid hinge broke after two months.":
            #"{"rating": 3, "sentiment": "mixed", "pros": ["boils fast", "handle stays cool"], "cons": ["lid hinge broke after two months"]}"#,
        "Lovely design, but it is loud and the water tastes of plastic for the first week.":
            #"{"rating": 2, "sentiment": "mixed", "pros": ["lovely design"], "cons": ["loud", "water tastes of plastic for the first week"]}"#,
        "Does the job. Cheap, light, and the auto-off works every time.":
            #"{"rating": 4, "sentiment": "positive", "pros": ["cheap", "light", "reliable auto-off"], "cons": []}"#,
    ]

    static func facts(_ user: String) -> String {
        let review = user.components(separatedBy: "Review:\n").last.map { String($0) } ?? ""
        return reviewFacts[review] ?? #"{"rating": 3, "sentiment": "mixed", "pros": [], "cons": []}"#
    }

    static let digest = """
        ## What customers like
        - It boils quickly, and the handle stays cool.
        - The design looks good, and it is cheap and light.
        - The automatic switch-off works reliably.

        ## What customers dislike
        - The lid hinge can break within a few months.
        - It is loud while boiling.
        - The water tastes of plastic during the first week.

        ## What to fix first
        1. Strengthen the lid hinge: it is the only reported failure, and it ends the kettle's life.
        2. Find the source of the plastic taste and change the material or add a first-use rinse to the manual.
        3. Look at boiling noise once the hinge and taste are fixed.
        """

    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let from = text.range(of: start) else { return nil }
        guard let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
        return String(text[from.upperBound..<to.lowerBound])
    }
}
