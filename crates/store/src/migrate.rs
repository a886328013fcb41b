//! Versioned migrations, each in its own transaction, recorded in `schema_migrations`. On
//! PostgreSQL they run under an advisory lock so that several nodes can start at once.

use sqlx::{Connection, Executor, Row};

use crate::{Engine, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    sql: fn(Engine) -> Vec<&'static str>,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "plan, enterprises, facts, cell aggregates",
    sql: v1,
}];

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
        match engine {
            // Clustered on the key: one B-tree instead of a table and an index.
            Engine::Sqlite => {
                "CREATE TABLE facts (enterprise_id BIGINT NOT NULL REFERENCES enterprises (id), month BIGINT NOT NULL,
                 PRIMARY KEY (enterprise_id, month)) WITHOUT ROWID"
            }
            Engine::Postgres => {
                "CREATE TABLE facts (enterprise_id BIGINT NOT NULL REFERENCES enterprises (id), month BIGINT NOT NULL,
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

pub(crate) async fn run(store: &Store) -> Result<()> {
    let mut conn = store.pool.acquire().await?;
    if store.engine == Engine::Postgres {
        conn.execute("SELECT pg_advisory_lock(7243001)").await?;
    }
    let outcome = apply(store.engine, &mut conn).await;
    if store.engine == Engine::Postgres {
        conn.execute("SELECT pg_advisory_unlock(7243001)").await?;
    }
    outcome
}

async fn apply(engine: Engine, conn: &mut sqlx::AnyConnection) -> Result<()> {
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
        let Some(m) = MIGRATIONS.iter().find(|m| !done.contains(&m.version)) else {
            tx.commit().await?;
            return Ok(());
        };
        for stmt in (m.sql)(engine) {
            tx.execute(stmt).await?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
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
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    secs.to_string()
}
