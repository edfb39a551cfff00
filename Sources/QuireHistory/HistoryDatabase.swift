import Foundation
import GRDB
import QuireCore

/// The run history, `.quire/history.sqlite` in the workspace: one row per run, per step and per model call.
///
/// WAL mode with `synchronous=NORMAL` (a commit appends to the log, no fsync per statement) and a busy
/// timeout, so twenty runs writing at once wait for each other instead of failing. The file is the
/// owner's alone (0600, in a 0700 folder): prompts' inputs and parameters are in it.
public final class HistoryDatabase: Sendable {
    /// Relative to the workspace root.
    public static let relativePath = ".quire/history.sqlite"
    /// How long a statement waits for another process's write before giving up.
    static let busyTimeout: TimeInterval = 5

    /// The path shown in messages (relative to the workspace root).
    public let displayPath: String
    public let url: URL
    let queue: DatabaseQueue

    init(url: URL, displayPath: String, queue: DatabaseQueue) {
        self.url = url
        self.displayPath = displayPath
        self.queue = queue
    }

    /// Opens (creating when missing) the history of the workspace at `root`, migrated to the current schema.
    public static func open(workspaceRoot root: URL) throws(HistoryError) -> HistoryDatabase {
        let url = root.appendingPathComponent(relativePath)
        do {
            return try open(url: url, displayPath: relativePath)
        } catch {
            throw HistoryError.from(error, path: relativePath)
        }
    }

    /// The history for commands that only look at it (`quire runs`, `show`, `stats`, `diff`): the file
    /// when there is one, else an empty history in memory, so that looking leaves no `.quire/` behind
    /// in a folder that has never had a run (a mistyped `-C`, the wrong directory).
    public static func openForReading(workspaceRoot root: URL) throws(HistoryError) -> HistoryDatabase {
        let url = root.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: url.path) { return try open(workspaceRoot: root) }
        do {
            let queue = try DatabaseQueue()
            try HistorySchema.migrator.migrate(queue)
            return HistoryDatabase(url: url, displayPath: relativePath, queue: queue)
        } catch {
            throw HistoryError.from(error, path: relativePath)
        }
    }

    static func open(url: URL, displayPath: String) throws -> HistoryDatabase {
        let fm = FileManager.default
        let folder = url.deletingLastPathComponent()
        if !fm.fileExists(atPath: folder.path) {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        chmod(folder.path, 0o700)
        // Made here, owner-only, before SQLite opens it (SQLite gives its -wal and -shm files the same mode).
        createOwnerOnlyFile(url.path)

        // Opening — switching a new file to WAL and migrating it — is done by one process at a time: twenty
        // runs starting together on a new workspace otherwise race there, and SQLite answers some of them
        // SQLITE_BUSY at once, without waiting out the busy timeout. The lock is an advisory `flock` on the
        // `.quire/` folder (independent of SQLite's own locks), released when this function returns.
        let lock = Glibc.open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if lock >= 0 { _ = flock(lock, LOCK_EX) }
        defer { if lock >= 0 { close(lock) } }

        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(busyTimeout)
        config.label = "quire.history"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let queue = try DatabaseQueue(path: url.path, configuration: config)
        let migrator = HistorySchema.migrator
        // Two processes that create the history at the same moment may both try the first migration;
        // the second then fails on tables the first made, and succeeds on trying again.
        var attempt = 0
        while true {
            do {
                if try queue.read({ try migrator.hasCompletedMigrations($0) }) { break }
                try migrator.migrate(queue)
                break
            } catch let error as DatabaseError where attempt < 3 && error.resultCode != .SQLITE_NOTADB && error.resultCode != .SQLITE_CORRUPT {
                attempt += 1
                usleep(UInt32(20_000 * attempt))
            }
        }
        return HistoryDatabase(url: url, displayPath: displayPath, queue: queue)
    }

    // MARK: - Writing

    /// Writes a run's row, and the rows of `changedSteps` (every step when nil), in one transaction.
    public func write(_ record: HistoryRecord, changedSteps: Set<String>? = nil) throws(HistoryError) {
        try write([(record, changedSteps)])
    }

    /// Writes several runs' rows in one transaction; `changedSteps` as in ``write(_:changedSteps:)``.
    public func write(_ records: [(record: HistoryRecord, changedSteps: Set<String>?)]) throws(HistoryError) {
        do {
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    for (record, changedSteps) in records { try Self.insert(record, changedSteps: changedSteps, db: db) }
                    return .commit
                }
            }
        } catch {
            throw HistoryError.from(error, path: displayPath)
        }
    }

    /// Replaces the whole history with `records`, in one transaction.
    public func replaceAll(with records: [HistoryRecord]) throws(HistoryError) {
        do {
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "DELETE FROM runs")
                    for record in records { try Self.insert(record, changedSteps: nil, db: db) }
                    return .commit
                }
            }
        } catch {
            throw HistoryError.from(error, path: displayPath)
        }
    }

    static func insert(_ record: HistoryRecord, changedSteps: Set<String>?, db: Database) throws {
        let run = record.run
        try db.cachedStatement(sql: """
            INSERT INTO runs (run_id, workflow, case_name, status, started_at, finished_at, duration_ms, folder, calls,
                prompt_tokens, completion_tokens, total_tokens, cost_usd, unknown_cost_calls, cache_hits, retries, resumes, pid)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(run_id) DO UPDATE SET workflow = excluded.workflow, case_name = excluded.case_name,
                status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at,
                duration_ms = excluded.duration_ms, folder = excluded.folder, calls = excluded.calls,
                prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                total_tokens = excluded.total_tokens, cost_usd = excluded.cost_usd,
                unknown_cost_calls = excluded.unknown_cost_calls, cache_hits = excluded.cache_hits,
                retries = excluded.retries, resumes = excluded.resumes, pid = coalesce(excluded.pid, runs.pid)
            """).execute(arguments: [
                run.runID, run.workflow, run.caseName, run.status, run.startedAt, run.finishedAt, run.durationMilliseconds,
                run.folder, run.calls, run.promptTokens, run.completionTokens, run.totalTokens, run.costUSD,
                run.unknownCostCalls, run.cacheHits, run.retries, run.resumes, run.pid,
            ])
        if changedSteps == nil {
            // Steps the manifest no longer has (a resumed run whose workflow lost a step) go too.
            let ids = record.steps.map(\.stepID)
            try db.execute(
                sql: "DELETE FROM steps WHERE run_id = ? AND step_id NOT IN (\(databaseQuestionMarks(count: ids.count)))",
                arguments: StatementArguments([run.runID] + ids))
        }
        for step in record.steps where changedSteps?.contains(step.stepID) ?? true {
            try db.cachedStatement(sql: "DELETE FROM calls WHERE run_id = ? AND step_id = ?").execute(arguments: [run.runID, step.stepID])
            try db.cachedStatement(sql: """
                INSERT INTO steps (run_id, step_id, position, kind, status, prompt_name, prompt_version, prompt_sha256, error,
                    reused_from)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(run_id, step_id) DO UPDATE SET position = excluded.position, kind = excluded.kind,
                    status = excluded.status, prompt_name = excluded.prompt_name, prompt_version = excluded.prompt_version,
                    prompt_sha256 = excluded.prompt_sha256, error = excluded.error, reused_from = excluded.reused_from
                """).execute(arguments: [
                    run.runID, step.stepID, step.position, step.kind, step.status, step.promptName, step.promptVersion,
                    step.promptSHA256, step.error, step.reusedFrom,
                ])
            let insertCall = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO calls (run_id, step_id, item, status, provider, model, prompt_tokens, completion_tokens,
                    latency_ms, finish_reason, retries, cost_usd, cache_hit, parameters, request_sha256, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for call in record.calls where call.stepID == step.stepID {
                try insertCall.execute(arguments: [
                    run.runID, call.stepID, call.item ?? 0, call.status, call.provider, call.model, call.promptTokens,
                    call.completionTokens, call.latencyMilliseconds, call.finishReason, call.retries, call.costUSD,
                    call.cacheHit, call.parametersJSON, call.requestSHA256, call.error,
                ])
            }
        }
    }

    // MARK: - Reading

    /// Runs, newest first.
    public func runs(workflow: String? = nil, status: String? = nil, limit: Int? = nil) throws(HistoryError) -> [HistoryRun] {
        var sql = "SELECT * FROM runs"
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let workflow { conditions.append("workflow = ?"); arguments.append(workflow) }
        if let status { conditions.append("status = ?"); arguments.append(status) }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY started_at DESC, run_id DESC"
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.run)
        }
    }

    /// How many runs the history has (of `workflow` only, when given).
    public func runCount(workflow: String? = nil) throws(HistoryError) -> Int {
        try read { db in
            if let workflow {
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE workflow = ?", arguments: [workflow]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0
        }
    }

    /// The workflows that have runs in the history, sorted.
    public func workflows() throws(HistoryError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT workflow FROM runs ORDER BY workflow") }
    }

    /// The ids of the runs whose id starts with `prefix`, newest first.
    public func runIDs(withPrefix prefix: String) throws(HistoryError) -> [String] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT run_id FROM runs WHERE substr(run_id, 1, ?) = ? ORDER BY started_at DESC, run_id DESC",
                arguments: [prefix.count, prefix])
        }
    }

    /// A run with its steps and calls, or nil when the history has no such run.
    public func record(runID: String) throws(HistoryError) -> HistoryRecord? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE run_id = ?", arguments: [runID]) else { return nil }
            let steps = try Row.fetchAll(db, sql: "SELECT * FROM steps WHERE run_id = ? ORDER BY position", arguments: [runID]).map(Self.step)
            let positions = Dictionary(steps.map { ($0.stepID, $0.position) }, uniquingKeysWith: { a, _ in a })
            let calls = try Row.fetchAll(db, sql: "SELECT * FROM calls WHERE run_id = ?", arguments: [runID]).map(Self.call)
                .sorted { (positions[$0.stepID] ?? 0, $0.item ?? 0) < (positions[$1.stepID] ?? 0, $1.item ?? 0) }
            return HistoryRecord(run: Self.run(row), steps: steps, calls: calls)
        }
    }

    /// Every call of runs started at or after `since` (an ISO 8601 prefix, compared as text), with its
    /// workflow and prompt, for ``CallStatistics``.
    public func samples(since: String? = nil, workflow: String? = nil) throws(HistoryError) -> [CallStatistics.Sample] {
        var sql = """
            SELECT calls.*, runs.workflow AS run_workflow, steps.prompt_name, steps.prompt_version
            FROM calls JOIN runs USING (run_id) JOIN steps USING (run_id, step_id)
            """
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let since { conditions.append("runs.started_at >= ?"); arguments.append(since) }
        if let workflow { conditions.append("runs.workflow = ?"); arguments.append(workflow) }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                let name: String = row["prompt_name"]
                let version: Int = row["prompt_version"]
                return CallStatistics.Sample(call: Self.call(row), workflow: row["run_workflow"], prompt: version > 0 ? "\(name)@v\(version)" : name)
            }
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw HistoryError.from(error, path: displayPath)
        }
    }

    // MARK: - Rows

    static func run(_ row: Row) -> HistoryRun {
        HistoryRun(
            runID: row["run_id"], workflow: row["workflow"], caseName: row["case_name"], status: row["status"],
            startedAt: row["started_at"], finishedAt: row["finished_at"], durationMilliseconds: row["duration_ms"],
            folder: row["folder"], calls: row["calls"], promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
            totalTokens: row["total_tokens"], costUSD: row["cost_usd"], unknownCostCalls: row["unknown_cost_calls"],
            cacheHits: row["cache_hits"], retries: row["retries"], resumes: row["resumes"], pid: row["pid"])
    }

    static func step(_ row: Row) -> HistoryStep {
        HistoryStep(
            runID: row["run_id"], stepID: row["step_id"], position: row["position"], kind: row["kind"], status: row["status"],
            promptName: row["prompt_name"], promptVersion: row["prompt_version"], promptSHA256: row["prompt_sha256"], error: row["error"],
            reusedFrom: row["reused_from"])
    }

    static func call(_ row: Row) -> HistoryCall {
        let item: Int = row["item"]
        return HistoryCall(
            runID: row["run_id"], stepID: row["step_id"], item: item == 0 ? nil : item, status: row["status"],
            provider: row["provider"], model: row["model"], promptTokens: row["prompt_tokens"],
            completionTokens: row["completion_tokens"], latencyMilliseconds: row["latency_ms"], finishReason: row["finish_reason"],
            retries: row["retries"], costUSD: row["cost_usd"], cacheHit: row["cache_hit"], parametersJSON: row["parameters"],
            requestSHA256: row["request_sha256"], error: row["error"])
    }
}

/// Creates `path` with mode 0600 unless it exists (`O_EXCL`: of two runs starting at once, one creates it and
/// the other leaves it alone), and makes an existing file 0600.
private func createOwnerOnlyFile(_ path: String) {
    let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
    if descriptor >= 0 { close(descriptor) }
    chmod(path, 0o600)
}
