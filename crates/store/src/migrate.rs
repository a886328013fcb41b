//! Versioned migrations, each in its own transaction, recorded in `schema_migrations`. On
//! PostgreSQL they run under an advisory lock so that several nodes can start at once.

use sqlx::{Connection, Executor, Row};

use crate::{Engine, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    sql: fn(Engine) -> Vec<&'static str>,
}

const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "plan, enterprises, facts, cell aggregates", sql: v1 },
    Migration { version: 2, name: "users, sessions, API tokens, audit trail", sql: v2 },
    Migration { version: 3, name: "monthly submissions", sql: v3 },
    Migration { version: 4, name: "counted events (denials, refused logins)", sql: v4 },
    Migration { version: 5, name: "audit entries sealed with a key", sql: v5 },
    Migration { version: 6, name: "progress notes on key tasks", sql: v6 },
    Migration { version: 7, name: "one workflow table for every subject", sql: v7 },
    Migration { version: 8, name: "major projects: library, plans, reports, requirements, problems, photos", sql: v8 },
    Migration { version: 9, name: "investment-attraction leads", sql: v9 },
    Migration { version: 10, name: "evaluation runs, results, objections, adjustments", sql: v10 },
    Migration { version: 11, name: "enterprise designations with their periods", sql: v11 },
    Migration { version: 12, name: "parks: an enterprise's park, and with its evaluation result", sql: v12 },
    Migration { version: 13, name: "innovation platforms and teams; figures entered per year", sql: v13 },
    Migration { version: 14, name: "service tickets, their history, files and day counters", sql: v14 },
    Migration { version: 15, name: "the inbox", sql: v15 },
    Migration { version: 16, name: "headline KPIs entered by their owners", sql: v16 },
    Migration { version: 17, name: "each enterprise's annual sums, kept once read", sql: v17 },
    Migration { version: 18, name: "designations held on a day, counted from one index", sql: v18 },
    Migration { version: 19, name: "review flags kept with their month, explained and decided", sql: v19 },
    Migration { version: 20, name: "a zone's enterprises in credit-code order, from one index", sql: v20 },
];

fn v20(_: Engine) -> Vec<&'static str> {
    // The review reads a zone's rows of a few months: through this index, one pass over the zone's
    // enterprises probing each one's months, instead of every enterprise of the region (100,000
    // enterprises: 264 ms to 87 ms for two zones' five months).
    vec!["CREATE INDEX enterprises_zone ON enterprises (zone, uscc, id)"]
}

fn v19(_: Engine) -> Vec<&'static str> {
    // One row per flag of a zone's month (the zone top-level, the month yyyymm); `indicator` is
    // empty for the rules that check a row whole; `decision` empty until the coordinator decides.
    vec![
        "CREATE TABLE review_flags (
            zone TEXT NOT NULL,
            month BIGINT NOT NULL,
            uscc TEXT NOT NULL,
            rule TEXT NOT NULL,
            indicator TEXT NOT NULL,
            value DOUBLE PRECISION,
            reference DOUBLE PRECISION,
            severity TEXT NOT NULL,
            explanation TEXT NOT NULL,
            explained_by TEXT NOT NULL,
            explained_at BIGINT,
            decision TEXT NOT NULL,
            decision_reason TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at BIGINT,
            PRIMARY KEY (zone, month, uscc, rule, indicator)
        )",
        "CREATE INDEX review_flags_month ON review_flags (month, zone)",
    ]
}

fn v18(_: Engine) -> Vec<&'static str> {
    // The cockpit counts the holders of a designation on a day: with the period's end and the
    // enterprise in the index, the count never reads the table (26,000 holders: 27 ms to 9 ms).
    vec![
        "DROP INDEX enterprise_tags_tag",
        "CREATE INDEX enterprise_tags_tag ON enterprise_tags (tag, valid_from, valid_to, uscc)",
    ]
}

fn v17(engine: Engine) -> Vec<&'static str> {
    // Per year and enterprise the sums and counts of every facts column, packed as
    // "sum:count,..." in the order `fact_years_kept.columns` names; a year without a row in
    // `fact_years_kept` is not kept. Keyed by year first: a year is dropped as one range.
    vec![
        match engine {
            Engine::Sqlite => {
                "CREATE TABLE fact_years (year BIGINT NOT NULL, enterprise_id BIGINT NOT NULL, totals TEXT NOT NULL,
                 PRIMARY KEY (year, enterprise_id)) WITHOUT ROWID"
            }
            Engine::Postgres => {
                "CREATE TABLE fact_years (year BIGINT NOT NULL, enterprise_id BIGINT NOT NULL, totals TEXT NOT NULL,
                 PRIMARY KEY (year, enterprise_id))"
            }
        },
        "CREATE TABLE fact_years_kept (year BIGINT PRIMARY KEY, columns TEXT NOT NULL, kept_at BIGINT NOT NULL)",
    ]
}

fn v16(engine: Engine) -> Vec<&'static str> {
    // Values in thousandths; the period's last month as yyyymm; every update kept.
    vec![match engine {
        Engine::Sqlite => {
            "CREATE TABLE kpi_updates (kpi TEXT NOT NULL, n BIGINT NOT NULL, period TEXT NOT NULL, period_end BIGINT NOT NULL,
            value_milli BIGINT NOT NULL, note TEXT NOT NULL, file_name TEXT, content_type TEXT, bytes BLOB,
            by_login TEXT NOT NULL, by_name TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (kpi, n))"
        }
        Engine::Postgres => {
            "CREATE TABLE kpi_updates (kpi TEXT NOT NULL, n BIGINT NOT NULL, period TEXT NOT NULL, period_end BIGINT NOT NULL,
            value_milli BIGINT NOT NULL, note TEXT NOT NULL, file_name TEXT, content_type TEXT, bytes BYTEA,
            by_login TEXT NOT NULL, by_name TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (kpi, n))"
        }
    }]
}

fn v15(_: Engine) -> Vec<&'static str> {
    vec![
        // One row per account and notice key: the same notice sent again adds nothing.
        "CREATE TABLE inbox (
            login TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            link TEXT NOT NULL,
            at BIGINT NOT NULL,
            read_at BIGINT,
            PRIMARY KEY (login, key)
        )",
        "CREATE INDEX inbox_newest ON inbox (login, at)",
    ]
}

fn v14(engine: Engine) -> Vec<&'static str> {
    // Dates are YYYY-MM-DD text, instants seconds since the epoch.
    let files = match engine {
        Engine::Sqlite => {
            "CREATE TABLE ticket_files (ticket_id BIGINT NOT NULL, n BIGINT NOT NULL, file_name TEXT NOT NULL,
            content_type TEXT NOT NULL, size BIGINT NOT NULL, bytes BLOB NOT NULL, author TEXT NOT NULL, at BIGINT NOT NULL,
            PRIMARY KEY (ticket_id, n))"
        }
        Engine::Postgres => {
            "CREATE TABLE ticket_files (ticket_id BIGINT NOT NULL, n BIGINT NOT NULL, file_name TEXT NOT NULL,
            content_type TEXT NOT NULL, size BIGINT NOT NULL, bytes BYTEA NOT NULL, author TEXT NOT NULL, at BIGINT NOT NULL,
            PRIMARY KEY (ticket_id, n))"
        }
    };
    vec![
        // The id is the day and its sequence (yyyymmdd × 100000 + n): unique because the day's
        // counter is.
        "CREATE TABLE tickets (
            id BIGINT PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            item TEXT NOT NULL,
            uscc TEXT NOT NULL,
            zone TEXT NOT NULL,
            department TEXT NOT NULL,
            state TEXT NOT NULL,
            answers TEXT NOT NULL,
            channel TEXT NOT NULL,
            ordered_at BIGINT NOT NULL,
            ordered_by TEXT NOT NULL,
            accepted_on TEXT,
            due_on TEXT,
            resolved_on TEXT,
            rating BIGINT,
            visit_owed BIGINT NOT NULL,
            escalated_at BIGINT,
            version BIGINT NOT NULL
        )",
        "CREATE INDEX tickets_queue ON tickets (department, state, id)",
        "CREATE INDEX tickets_enterprise ON tickets (uscc, id)",
        "CREATE INDEX tickets_due ON tickets (due_on)",
        "CREATE TABLE ticket_events (
            ticket_id BIGINT NOT NULL,
            n BIGINT NOT NULL,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            step TEXT NOT NULL,
            state TEXT NOT NULL,
            department TEXT NOT NULL,
            text TEXT NOT NULL,
            rating BIGINT,
            PRIMARY KEY (ticket_id, n)
        )",
        files,
        "CREATE TABLE ticket_days (day BIGINT PRIMARY KEY, last BIGINT NOT NULL)",
    ]
}

fn v13(_: Engine) -> Vec<&'static str> {
    vec![
        "CREATE TABLE innovation_records (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            category TEXT NOT NULL,
            level TEXT NOT NULL,
            kind TEXT NOT NULL,
            host_uscc TEXT,
            host_name TEXT NOT NULL,
            recognised_on TEXT NOT NULL,
            revoked_on TEXT,
            note TEXT NOT NULL
        )",
        // Figures the region enters once a year (GDP, in the plan's words), hundredths kept.
        "CREATE TABLE annual_figures (
            code TEXT NOT NULL,
            year BIGINT NOT NULL,
            value_centi BIGINT NOT NULL,
            note TEXT NOT NULL,
            set_by TEXT NOT NULL,
            set_at BIGINT NOT NULL,
            PRIMARY KEY (code, year)
        )",
    ]
}

fn v12(_: Engine) -> Vec<&'static str> {
    vec!["ALTER TABLE enterprises ADD COLUMN park TEXT", "ALTER TABLE evaluation_results ADD COLUMN park TEXT"]
}

fn v11(_: Engine) -> Vec<&'static str> {
    // Dates YYYY-MM-DD; valid_to null while it holds. The tag is the plan's code.
    vec![
        "CREATE TABLE enterprise_tags (
            uscc TEXT NOT NULL,
            tag TEXT NOT NULL,
            valid_from TEXT NOT NULL,
            valid_to TEXT,
            note TEXT NOT NULL,
            set_by TEXT NOT NULL,
            set_at BIGINT NOT NULL,
            PRIMARY KEY (uscc, tag, valid_from)
        )",
        "CREATE INDEX enterprise_tags_tag ON enterprise_tags (tag, valid_from)",
    ]
}

fn v10(_: Engine) -> Vec<&'static str> {
    // A run keeps the method it was computed with and, per enterprise, its result and the inputs
    // it was computed from (JSON), so that a final run reads the same whatever changes later.
    // Its state lives in workflow_states (subject `evaluation_run`, scope the id, period the year).
    vec![
        "CREATE TABLE evaluation_runs (
            id BIGINT PRIMARY KEY,
            year BIGINT NOT NULL,
            figures TEXT NOT NULL,
            method TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            computed_at BIGINT NOT NULL,
            publish_from TEXT,
            publish_to TEXT
        )",
        "CREATE TABLE evaluation_results (
            run_id BIGINT NOT NULL,
            uscc TEXT NOT NULL,
            zone TEXT NOT NULL,
            name TEXT NOT NULL,
            scale TEXT NOT NULL,
            class TEXT NOT NULL,
            total DOUBLE PRECISION NOT NULL,
            rank BIGINT,
            result TEXT NOT NULL,
            subject TEXT NOT NULL,
            PRIMARY KEY (run_id, uscc)
        )",
        "CREATE INDEX evaluation_results_uscc ON evaluation_results (uscc)",
        "CREATE TABLE evaluation_objections (
            id BIGINT PRIMARY KEY,
            run_id BIGINT NOT NULL,
            uscc TEXT NOT NULL,
            text TEXT NOT NULL,
            raised_by TEXT NOT NULL,
            raised_at BIGINT NOT NULL,
            outcome TEXT,
            decision TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at BIGINT
        )",
        "CREATE INDEX evaluation_objections_run ON evaluation_objections (run_id)",
        // Bonus (positive) or penalty (negative) points in hundredths, with the reason.
        "CREATE TABLE evaluation_adjustments (
            year BIGINT NOT NULL,
            uscc TEXT NOT NULL,
            points BIGINT NOT NULL,
            reason TEXT NOT NULL,
            set_by TEXT NOT NULL,
            set_at BIGINT NOT NULL,
            PRIMARY KEY (year, uscc)
        )",
    ]
}

fn v9(_: Engine) -> Vec<&'static str> {
    // Amounts in hundredths of a 万元; flags the target-company codes joined by ','; stage dates
    // YYYY-MM-DD, null until reached.
    vec![
        "CREATE TABLE leads (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            investor TEXT NOT NULL,
            amount BIGINT NOT NULL,
            industry TEXT NOT NULL,
            zone TEXT NOT NULL,
            source TEXT NOT NULL,
            flags TEXT NOT NULL,
            owner TEXT NOT NULL,
            stage TEXT NOT NULL,
            signed TEXT,
            registered TEXT,
            started TEXT,
            producing TEXT,
            funds BIGINT NOT NULL,
            project TEXT
        )",
    ]
}

fn v8(engine: Engine) -> Vec<&'static str> {
    // Months are yyyymm, dates YYYY-MM-DD, amounts hundredths of a 万元.
    let photos = match engine {
        Engine::Sqlite => {
            "CREATE TABLE project_photos (
            id BIGINT PRIMARY KEY, code TEXT NOT NULL, month BIGINT NOT NULL, file_name TEXT NOT NULL,
            content_type TEXT NOT NULL, bytes BLOB NOT NULL, thumbnail BLOB NOT NULL, author TEXT NOT NULL, at BIGINT NOT NULL)"
        }
        Engine::Postgres => {
            "CREATE TABLE project_photos (
            id BIGINT PRIMARY KEY, code TEXT NOT NULL, month BIGINT NOT NULL, file_name TEXT NOT NULL,
            content_type TEXT NOT NULL, bytes BYTEA NOT NULL, thumbnail BYTEA NOT NULL, author TEXT NOT NULL, at BIGINT NOT NULL)"
        }
    };
    vec![
        "CREATE TABLE projects (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            investor_uscc TEXT,
            zone TEXT NOT NULL,
            industry TEXT NOT NULL,
            kind TEXT NOT NULL,
            provincial_key BIGINT NOT NULL,
            provincial_major BIGINT NOT NULL,
            provincial_300 BIGINT NOT NULL,
            total_investment BIGINT NOT NULL,
            status TEXT NOT NULL,
            planned_start BIGINT,
            actual_start BIGINT,
            planned_completion BIGINT,
            actual_completion BIGINT
        )",
        "CREATE INDEX projects_zone ON projects (zone)",
        "CREATE TABLE project_plans (code TEXT NOT NULL, year BIGINT NOT NULL, planned BIGINT NOT NULL, PRIMARY KEY (code, year))",
        "CREATE TABLE project_reports (
            code TEXT NOT NULL, month BIGINT NOT NULL, investment BIGINT NOT NULL, progress_note TEXT NOT NULL,
            PRIMARY KEY (code, month)
        )",
        "CREATE TABLE project_requirements (
            code TEXT NOT NULL, kind TEXT NOT NULL, department TEXT NOT NULL, planned TEXT NOT NULL, done TEXT,
            PRIMARY KEY (code, kind)
        )",
        "CREATE TABLE project_problems (
            id BIGINT PRIMARY KEY, code TEXT NOT NULL, month BIGINT NOT NULL, description TEXT NOT NULL,
            department TEXT NOT NULL, due TEXT NOT NULL, status TEXT NOT NULL, resolution TEXT NOT NULL, resolved_on TEXT
        )",
        "CREATE INDEX project_problems_code ON project_problems (code)",
        photos,
        "CREATE INDEX project_photos_code ON project_photos (code, month)",
    ]
}

fn v7(_: Engine) -> Vec<&'static str> {
    vec![
        // What goes through submit → review → lock: a zone's month today, a project's monthly
        // report or an evaluation run next. A subject without a row is a draft.
        "CREATE TABLE workflow_states (
            subject TEXT NOT NULL,
            scope TEXT NOT NULL,
            period BIGINT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (subject, scope, period)
        )",
        "INSERT INTO workflow_states (subject, scope, period, state, reason, updated_at, updated_by)
         SELECT 'zone_month', zone, month, state, reason, updated_at, updated_by FROM submissions",
        "DROP TABLE submissions",
    ]
}

fn v6(_: Engine) -> Vec<&'static str> {
    vec![
        "CREATE TABLE task_notes (
            task TEXT NOT NULL,
            month BIGINT NOT NULL,
            organisation TEXT NOT NULL,
            note TEXT NOT NULL,
            author TEXT NOT NULL,
            at BIGINT NOT NULL,
            PRIMARY KEY (task, month, organisation)
        )",
    ]
}

fn v5(_: Engine) -> Vec<&'static str> {
    // Entries from before keying keep plain SHA-256 and may only open the chain.
    vec!["ALTER TABLE audit_log ADD COLUMN keyed BIGINT NOT NULL DEFAULT 0"]
}

fn v4(_: Engine) -> Vec<&'static str> {
    vec![
        // Repeated events of one kind in a time window: the first is an audit entry, the rest a
        // count here, so a flood of them cannot grow the trail.
        "CREATE TABLE event_counts (
            window_start BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            count BIGINT NOT NULL,
            last_at BIGINT NOT NULL,
            PRIMARY KEY (window_start, actor, action)
        )",
    ]
}

fn v3(_: Engine) -> Vec<&'static str> {
    vec![
        // A zone-month without a row is a draft.
        "CREATE TABLE submissions (
            zone TEXT NOT NULL,
            month BIGINT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            updated_by TEXT NOT NULL,
            PRIMARY KEY (zone, month)
        )",
    ]
}

fn v2(_: Engine) -> Vec<&'static str> {
    vec![
        "CREATE TABLE users (
            id BIGINT PRIMARY KEY,
            login TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            scope TEXT,
            password_hash TEXT NOT NULL,
            must_change_password BIGINT NOT NULL,
            disabled BIGINT NOT NULL,
            failed_logins BIGINT NOT NULL,
            locked_until BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        )",
        // Only hashes of session and API tokens are stored; a stolen database opens no session.
        "CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL REFERENCES users (id),
            csrf TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen BIGINT NOT NULL
        )",
        "CREATE TABLE api_tokens (
            id BIGINT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            user_id BIGINT NOT NULL REFERENCES users (id),
            label TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        )",
        "CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before_json TEXT NOT NULL,
            after_json TEXT NOT NULL,
            reason TEXT NOT NULL,
            request_id TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )",
        "CREATE INDEX audit_log_actor ON audit_log (actor, seq)",
        "CREATE INDEX audit_log_entity ON audit_log (entity, entity_id)",
    ]
}

fn v1(engine: Engine) -> Vec<&'static str> {
    vec![
        "CREATE TABLE plan_file (
            id BIGINT PRIMARY KEY CHECK (id = 1),
            code TEXT NOT NULL,
            source TEXT NOT NULL,
            loaded_at TEXT NOT NULL
        )",
        // Which indicator columns the facts table has; a plan that adds an indicator adds a column.
        "CREATE TABLE indicator_columns (code TEXT PRIMARY KEY)",
        "CREATE TABLE enterprises (
            id BIGINT PRIMARY KEY,
            uscc TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            zone TEXT NOT NULL,
            industry TEXT NOT NULL,
            land_mu_milli BIGINT,
            above_scale BIGINT NOT NULL,
            established TEXT,
            tags TEXT NOT NULL
        )",
        "CREATE INDEX enterprises_cell ON enterprises (industry, zone)",
        // No foreign key to enterprises: every import resolves enterprise ids from the registry in
        // the same database and enterprises are never deleted, while the per-row check cost
        // 4 of 6 seconds per 600,000 rows on PostgreSQL (measured with bench/run).
        match engine {
            // Clustered on the key: one B-tree instead of a table and an index.
            Engine::Sqlite => {
                "CREATE TABLE facts (enterprise_id BIGINT NOT NULL, month BIGINT NOT NULL,
                 PRIMARY KEY (enterprise_id, month)) WITHOUT ROWID"
            }
            Engine::Postgres => {
                "CREATE TABLE facts (enterprise_id BIGINT NOT NULL, month BIGINT NOT NULL,
                 PRIMARY KEY (enterprise_id, month))"
            }
        },
        // month × industry × zone sums, kept up to date in the transaction that changes facts.
        // Keyed so that one indicator's months are one contiguous range: what progress reads.
        match engine {
            Engine::Sqlite => {
                "CREATE TABLE cell_months (indicator TEXT NOT NULL, month BIGINT NOT NULL, industry TEXT NOT NULL,
                 zone TEXT NOT NULL, total BIGINT NOT NULL, reporters BIGINT NOT NULL,
                 PRIMARY KEY (indicator, month, industry, zone)) WITHOUT ROWID"
            }
            Engine::Postgres => {
                "CREATE TABLE cell_months (indicator TEXT NOT NULL, month BIGINT NOT NULL, industry TEXT NOT NULL,
                 zone TEXT NOT NULL, total BIGINT NOT NULL, reporters BIGINT NOT NULL,
                 PRIMARY KEY (indicator, month, industry, zone))"
            }
        },
    ]
}

/// Applies the migrations not yet applied, up to `upto` (every one when None).
pub(crate) async fn run(store: &Store, upto: Option<i64>) -> Result<()> {
    let mut conn = store.pool.acquire().await?;
    if store.engine == Engine::Postgres {
        conn.execute("SELECT pg_advisory_lock(7243001)").await?;
    }
    let outcome = apply(store.engine, &mut conn, upto.unwrap_or(i64::MAX)).await;
    if store.engine == Engine::Postgres {
        conn.execute("SELECT pg_advisory_unlock(7243001)").await?;
    }
    outcome
}

/// The newest schema this program knows.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

async fn apply(engine: Engine, conn: &mut sqlx::AnyConnection, upto: i64) -> Result<()> {
    // One migration per transaction; on SQLite each takes the write lock before it looks, so
    // processes starting together apply each migration once.
    loop {
        let mut tx = match engine {
            Engine::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => conn.begin().await?,
        };
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .await?;
        let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect();
        let Some(m) = MIGRATIONS.iter().find(|m| m.version <= upto && !done.contains(&m.version)) else {
            tx.commit().await?;
            return Ok(());
        };
        for stmt in (m.sql)(engine) {
            tx.execute(stmt).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
    }
}

/// Seconds since the epoch as text; storage stays free of engine-specific time types.
pub(crate) fn now_text() -> String {
    now().to_string()
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
