//! The only place with SQL. One code path serves SQLite and PostgreSQL through sqlx's `Any`
//! driver: every column is an integer or text, months are yyyymm integers and amounts are integer
//! counts of their smallest kept unit, and placeholders are `$n`, which both engines accept.

mod annual;
mod audit;
mod copy;
mod enterprises;
mod evaluation;
mod facts;
mod facts_import;
mod inbox;
mod innovation;
mod kpis;
mod leads;
mod migrate;
mod plan;
mod projects;
mod review;
mod seal;
mod services;
mod tags;
mod tasks;
mod users;
mod workflow;

use std::str::FromStr;
use std::time::Duration;

use domain::IndicatorCode;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use annual::{EnterpriseTotals, TotalsFilter};
pub use audit::{AuditFilter, AuditRecord};
pub use copy::{CopyReport, Side, TableCopy, backup_database, copy_database, redact, table_checksums};
pub use enterprises::{EnterpriseFilter, EnterpriseKey, EnterpriseKeys, EnterpriseRow, EnterprisesImport};
pub use evaluation::{Adjustment, EvaluationRow, EvaluationRun, Objection};
pub use facts::{CellEnterprise, MonthFacts, MonthPair};
pub use facts_import::{FactRow, FactsImport, MonthGuard};
pub use migrate::now;
pub use projects::{PhotoInfo, ProjectReport};
pub use review::{FlagCount, FlagKey};
pub use seal::{AuditSeal, SealPlaces};
pub use services::{NewEvent, NewFile, NewTicket, TicketChange, TicketFilter};
pub use tasks::TaskNote;
pub use users::{NewUser, TokenRow, UserRecord};
pub use workflow::{EVALUATION_RUN, StateChange, StateRow, ZONE_MONTH};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库地址“{0}”不受支持,应为 sqlite://文件 或 postgres://… / unsupported database URL")]
    UnsupportedUrl(String),
    #[error("数据库错误 / database error: {0}")]
    Db(sqlx::Error),
    /// The audit key or checkpoint outside the database cannot be read or created.
    #[error("{0}")]
    Config(String),
    /// Another write held the database longer than the configured wait.
    #[error("数据库正忙(另一项写入尚未完成),请稍后重试 / the database is busy with another write, try again shortly")]
    Busy,
    #[error("{0}")]
    Invalid(String),
    /// A total would leave the range an integer column holds; nothing was written.
    #[error("{0}")]
    OutOfRange(String),
    /// What the database holds does not read as what was written: a stored code no longer passes
    /// its check, an aggregate cannot be parsed.
    #[error("数据库内容损坏 / stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Reads a stored code back through its checked constructor, so a value altered outside the
/// program is reported rather than carried on as if it had been checked.
pub(crate) fn stored<T, E: std::fmt::Display>(text: &str, parse: impl Fn(&str) -> std::result::Result<T, E>) -> Result<T> {
    parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        // SQLITE_BUSY (5) and its extended codes: the wait for the write lock ran out.
        let busy = match &e {
            sqlx::Error::Database(d) => {
                matches!(d.code().as_deref(), Some("5" | "261" | "517" | "773")) || d.message().contains("database is locked")
            }
            _ => false,
        };
        // A unique key taken meanwhile (PostgreSQL 23505; SQLite's UNIQUE and PRIMARY KEY codes).
        let taken = matches!(&e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("23505" | "2067" | "1555")));
        if busy {
            StoreError::Busy
        } else if taken {
            StoreError::Invalid(
                "与已有记录重复,可能刚被他人写入,请刷新后重试 / conflicts with an existing record, reload and retry".into(),
            )
        } else {
            StoreError::Db(e)
        }
    }
}

impl StoreError {
    /// The words for a total that would overflow.
    pub(crate) fn total_overflow() -> StoreError {
        StoreError::OutOfRange(
            "合计超出可存储的范围,未写入任何数据;请检查文件中的异常大数 / a total would overflow, nothing was written: check the file for implausibly large values"
                .into(),
        )
    }

    /// PostgreSQL refuses an overflowing BIGINT with SQLSTATE 22003; that is a total out of
    /// range, not a failure of the server.
    pub(crate) fn from_write(e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(d) if d.code().as_deref() == Some("22003") => StoreError::total_overflow(),
            _ => StoreError::from(e),
        }
    }
}

/// Serialises what closes a month (workflow steps) with what writes into one (the end of a facts
/// import) on PostgreSQL; SQLite's write lock already does.
pub(crate) const MONTHS_LOCK: &str = "SELECT pg_advisory_xact_lock(7243004)";

/// SQLite turns an integer sum that overflows into a float instead of failing; a write that
/// touched the aggregates checks none did before it commits.
pub(crate) async fn check_totals(tx: &mut sqlx::Transaction<'static, sqlx::Any>, engine: Engine) -> Result<()> {
    if engine == Engine::Sqlite {
        let floats: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM cell_months WHERE typeof(total) <> 'integer'").fetch_one(&mut **tx).await?;
        if floats > 0 {
            return Err(StoreError::total_overflow());
        }
    }
    Ok(())
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> Result<Engine> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

/// A connection pool to one Leapfrog database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// PostgreSQL's own driver, for what `Any` cannot do: COPY.
    pg: Option<sqlx::PgPool>,
    /// The audit trail's key and checkpoint, kept outside the database.
    seal: std::sync::Arc<AuditSeal>,
}

impl Store {
    /// Connects (creating an SQLite file if it does not exist) without touching the schema: a
    /// copy looks before it migrates.
    pub(crate) async fn connect(url: &str, busy_timeout: Duration) -> Result<Store> {
        let busy_ms = busy_timeout.as_millis().min(i32::MAX as u128);
        sqlx::any::install_default_drivers();
        let engine = Engine::of_url(url)?;
        let url = match engine {
            Engine::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        // A statement over a second is logged at debug, as on PostgreSQL's own pool: reading a
        // year's 100,000 evaluation results is slow by nature, not a warning for whoever runs it.
        let options = AnyConnectOptions::from_str(&url)?
            .log_statements(tracing::log::LevelFilter::Trace)
            .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1));
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 4,
                Engine::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // One writer at a time; readers never block it; waits instead of "database is locked".
                        conn.execute(sqlx::AssertSqlSafe(format!(
                            "PRAGMA busy_timeout={busy_ms}; PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; \
                             PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                        )))
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let pg = match engine {
            Engine::Postgres => {
                let options = sqlx::postgres::PgConnectOptions::from_str(&url)?
                    .log_statements(tracing::log::LevelFilter::Trace)
                    .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1));
                Some(sqlx::postgres::PgPoolOptions::new().max_connections(4).connect_lazy_with(options))
            }
            Engine::Sqlite => None,
        };
        Ok(Store { pool, engine, pg, seal: std::sync::Arc::new(AuditSeal::none()) })
    }

    /// Connects, creating an SQLite file if it does not exist, and brings the schema up to date.
    /// On SQLite a write waits up to `busy_timeout` for another to finish, then fails as `Busy`.
    /// The audit trail's key and checkpoint are opened at `seal` once the database answers.
    pub async fn open(url: &str, busy_timeout: Duration, seal: Option<SealPlaces>) -> Result<Store> {
        let mut store = Store::connect(url, busy_timeout).await?;
        migrate::run(&store, None).await?;
        if let Some(places) = seal {
            let opened = AuditSeal::open(&places).map_err(|e| {
                StoreError::Config(format!(
                    "审计密钥 {} 无法读取或创建 / the audit key cannot be read or created: {e}",
                    places.key_file.display()
                ))
            })?;
            store.seal = std::sync::Arc::new(opened);
        }
        Ok(store)
    }

    /// A write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE), so a
    /// second writer waits its turn instead of failing when it first reads and then writes.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub async fn close(&self) {
        if let Err(e) = self.checkpoint_audit().await {
            tracing::error!(error = %e, "audit checkpoint not written at close");
        }
        self.pool.close().await;
        if let Some(pg) = &self.pg {
            pg.close().await;
        }
    }
}

/// The storage column of an indicator in the facts table: an identifier pasted into SQL, so it is
/// only ever made from an `IndicatorCode`, whose constructor admits nothing but `[a-z][a-z0-9_]*`.
pub(crate) fn fact_column(indicator: &IndicatorCode) -> String {
    format!("v_{}", indicator.as_str())
}
