import GRDB

/// The tables of `.quire/history.sqlite`, versioned by GRDB's migrator (table `grdb_migrations`).
///
/// A later schema adds a migration here; existing databases are migrated when opened. Everything
/// in the history can be made again from the run folders (`quire history rebuild`).
enum HistorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    run_id TEXT PRIMARY KEY NOT NULL,
                    workflow TEXT NOT NULL,
                    case_name TEXT,
                    status TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    duration_ms INTEGER,
                    folder TEXT NOT NULL,
                    calls INTEGER NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    total_tokens INTEGER NOT NULL,
                    cost_usd REAL,
                    unknown_cost_calls INTEGER NOT NULL,
                    cache_hits INTEGER NOT NULL,
                    retries INTEGER NOT NULL,
                    resumes INTEGER NOT NULL,
                    pid INTEGER
                );
                CREATE INDEX runs_by_start ON runs(started_at);
                CREATE INDEX runs_by_workflow ON runs(workflow, started_at);
                CREATE TABLE steps (
                    run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                    step_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    prompt_name TEXT NOT NULL,
                    prompt_version INTEGER NOT NULL,
                    prompt_sha256 TEXT NOT NULL,
                    error TEXT,
                    PRIMARY KEY (run_id, step_id)
                );
                CREATE TABLE calls (
                    run_id TEXT NOT NULL,
                    step_id TEXT NOT NULL,
                    item INTEGER NOT NULL, -- 0 for a plain step, 1… for fan-out items
                    status TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    prompt_tokens INTEGER NOT NULL,
                    completion_tokens INTEGER NOT NULL,
                    latency_ms INTEGER NOT NULL,
                    finish_reason TEXT,
                    retries INTEGER NOT NULL,
                    cost_usd REAL,
                    cache_hit INTEGER NOT NULL,
                    parameters TEXT NOT NULL,
                    request_sha256 TEXT NOT NULL,
                    PRIMARY KEY (run_id, step_id, item),
                    FOREIGN KEY (run_id, step_id) REFERENCES steps(run_id, step_id) ON DELETE CASCADE
                );
                """)
        }
        // What `quire show` says of reused steps and of each failed call.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE steps ADD COLUMN reused_from TEXT;
                ALTER TABLE calls ADD COLUMN error TEXT;
                """)
        }
        return migrator
    }
}
