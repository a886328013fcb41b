//! The audit trail: appended in the transaction of the change it records, chained by hash.

use domain::audit::{AuditEntry, entry_hash};
use sqlx::{Any, Executor, Postgres, Row, Transaction};

use crate::seal::AuditSeal;
use crate::{Engine, Result, Store, migrate::now};

/// What a change records about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRecord {
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the state before and after, or empty.
    pub before: String,
    pub after: String,
    pub reason: String,
    pub request_id: String,
}

impl AuditRecord {
    pub fn new(actor: &str, action: &str, entity: &str, entity_id: &str) -> AuditRecord {
        AuditRecord {
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            ..Default::default()
        }
    }

    pub fn after(mut self, json: String) -> Self {
        self.after = json;
        self
    }

    pub fn before(mut self, json: String) -> Self {
        self.before = json;
        self
    }

    pub fn request(mut self, request_id: &str) -> Self {
        self.request_id = request_id.into();
        self
    }
}

fn entry(r: &AuditRecord, seq: i64, prev_hash: String, seal: &AuditSeal) -> AuditEntry {
    let mut e = AuditEntry {
        seq,
        at: now(),
        actor: r.actor.clone(),
        action: r.action.clone(),
        entity: r.entity.clone(),
        entity_id: r.entity_id.clone(),
        before: r.before.clone(),
        after: r.after.clone(),
        reason: r.reason.clone(),
        request_id: r.request_id.clone(),
        prev_hash,
        hash: String::new(),
        keyed: seal.key().is_some(),
    };
    e.hash = entry_hash(&e, seal.key());
    e
}

const INSERT: &str = "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, reason, \
    request_id, prev_hash, hash, keyed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
const LAST: &str = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
/// Appends are serialised on PostgreSQL so that two nodes never take the same place in the chain
/// (SQLite's write lock already does this).
const LOCK: &str = "SELECT pg_advisory_xact_lock(7243003)";

/// The entry a transaction appended last: what goes to the checkpoint once it is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "record it in the checkpoint once the transaction is committed"]
pub(crate) struct Appended {
    seq: i64,
    hash: String,
}

impl AuditSeal {
    /// Writes a committed entry to the checkpoint. Only after the commit: a transaction that
    /// appends several entries reads its own uncommitted ones, and a process killed before it
    /// commits must not leave the checkpoint naming entries the database never kept.
    pub(crate) fn committed(&self, appended: &Appended) {
        self.record(appended.seq, &appended.hash);
    }
}

/// Appends the next entry of the chain through a transaction of either driver (the `Any` pool,
/// or PostgreSQL's own for the COPY path): the same SQL, typed per driver.
macro_rules! append_in {
    ($tx:expr, $seal:expr, $record:expr) => {{
        let last = sqlx::query(LAST).fetch_optional(&mut **$tx).await?;
        let (seq, prev): (i64, String) = last.map(|row| (row.get(0), row.get(1))).unwrap_or((0, String::new()));
        let e = entry($record, seq + 1, prev, $seal);
        let appended = Appended { seq: e.seq, hash: e.hash.clone() };
        sqlx::query(INSERT)
            .bind(e.seq)
            .bind(e.at)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.entity)
            .bind(e.entity_id)
            .bind(e.before)
            .bind(e.after)
            .bind(e.reason)
            .bind(e.request_id)
            .bind(e.prev_hash)
            .bind(e.hash)
            .bind(i64::from(e.keyed))
            .execute(&mut **$tx)
            .await?;
        appended
    }};
}

/// Appends an entry inside a transaction of the `Any` pool.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    engine: Engine,
    seal: &AuditSeal,
    r: &AuditRecord,
) -> Result<Appended> {
    if engine == Engine::Postgres {
        tx.execute(LOCK).await?;
    }
    Ok(append_in!(tx, seal, r))
}

/// Appends an entry inside a transaction of PostgreSQL's own driver.
pub(crate) async fn append_pg(tx: &mut Transaction<'static, Postgres>, seal: &AuditSeal, r: &AuditRecord) -> Result<Appended> {
    tx.execute(LOCK).await?;
    Ok(append_in!(tx, seal, r))
}

/// A filter over the trail; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub action: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

fn audit_entry(r: &sqlx::any::AnyRow) -> AuditEntry {
    AuditEntry {
        seq: r.get(0),
        at: r.get(1),
        actor: r.get(2),
        action: r.get(3),
        entity: r.get(4),
        entity_id: r.get(5),
        before: r.get(6),
        after: r.get(7),
        reason: r.get(8),
        request_id: r.get(9),
        prev_hash: r.get(10),
        hash: r.get(11),
        keyed: r.get::<i64, _>(12) != 0,
    }
}

const COLUMNS: &str =
    "seq, at, actor, action, entity, entity_id, before_json, after_json, reason, request_id, prev_hash, hash, keyed";

impl Store {
    /// Appends the change's audit entry and commits: how every write transaction ends.
    pub(crate) async fn commit_audited(&self, mut tx: Transaction<'static, Any>, audit: &AuditRecord) -> Result<()> {
        let appended = append(&mut tx, self.engine, &self.seal, audit).await?;
        tx.commit().await?;
        self.seal.committed(&appended);
        Ok(())
    }

    /// Appends an entry on its own, for events that change nothing else (a failed login).
    pub async fn audit(&self, r: &AuditRecord) -> Result<()> {
        let tx = self.begin_write().await?;
        self.commit_audited(tx, r).await
    }

    /// Counts an event that may come in floods (a denied request, a refused login) in its time
    /// window of `window_secs`: the first of a kind in a window becomes an audit entry, the rest
    /// only raise the count kept beside the trail. Returns the count so far.
    pub async fn count_event(&self, r: &AuditRecord, window_secs: i64) -> Result<i64> {
        let t = now();
        let window = t - t.rem_euclid(window_secs);
        let mut tx = self.begin_write().await?;
        let count: i64 = sqlx::query_scalar(
            "INSERT INTO event_counts (window_start, actor, action, count, last_at) VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (window_start, actor, action) DO UPDATE SET count = event_counts.count + 1, last_at = $4 \
             RETURNING count",
        )
        .bind(window)
        .bind(&r.actor)
        .bind(&r.action)
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        let appended = if count == 1 { Some(append(&mut tx, self.engine, &self.seal, r).await?) } else { None };
        tx.commit().await?;
        if let Some(a) = appended {
            self.seal.committed(&a);
        }
        Ok(count)
    }

    /// Counted events, newest window first: (window start, actor, action, count, last time).
    pub async fn event_counts(&self, limit: i64) -> Result<Vec<(i64, String, String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT window_start, actor, action, count, last_at FROM event_counts ORDER BY window_start DESC, actor, action LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect())
    }

    /// Entries matching a filter, newest first, with the number of all matches.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<(Vec<AuditEntry>, i64)> {
        let mut cond = String::from("WHERE 1 = 1");
        let mut texts = Vec::new();
        for (col, v) in [("actor", &f.actor), ("entity", &f.entity), ("action", &f.action)] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                texts.push(v.clone());
                cond.push_str(&format!(" AND {col} = ${}", texts.len()));
            }
        }
        if let Some(from) = f.from {
            cond.push_str(&format!(" AND at >= {from}"));
        }
        if let Some(to) = f.to {
            cond.push_str(&format!(" AND at < {to}"));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_log {cond}")));
        for t in &texts {
            q = q.bind(t.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.get(0);
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log {cond} ORDER BY seq DESC LIMIT {} OFFSET {}",
            f.limit.clamp(1, 100_000),
            f.offset.max(0)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for t in &texts {
            q = q.bind(t.clone());
        }
        Ok((q.fetch_all(&self.pool).await?.iter().map(audit_entry).collect(), total))
    }

    /// The data version: the newest entry of the trail, which every write appends in its own
    /// transaction, so it changes with every committed write on any node.
    pub async fn data_version(&self) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(seq), 0) FROM audit_log").fetch_one(&self.pool).await?)
    }

    /// Whether the trail holds any entry of `action`.
    pub async fn has_audit_action(&self, action: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT seq FROM audit_log WHERE action = $1 LIMIT 1")
            .bind(action)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// Writes the newest committed entry to the checkpoint outside the database.
    pub async fn checkpoint_audit(&self) -> Result<()> {
        if let Some(row) = sqlx::query(LAST).fetch_optional(&self.pool).await? {
            self.seal.record(row.get(0), &row.get::<String, _>(1));
        }
        Ok(())
    }

    /// The key and checkpoint the trail is verified with.
    pub fn seal(&self) -> &AuditSeal {
        &self.seal
    }

    /// The whole trail in order, for verification.
    pub async fn audit_chain(&self) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq")))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(audit_entry).collect())
    }
}
