//! The workflow's states (submit → review → lock) of any subject, one table for all: a zone's
//! month (`zone_month`, scope the zone, period the month) today; a project's monthly report or an
//! evaluation run take their own subject code.

use domain::Month;
use sqlx::{Executor, Row};

use crate::audit::{AuditRecord, append};
use crate::migrate::now;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubmissionRow {
    pub zone: String,
    pub month: String,
    pub state: String,
    pub reason: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// The subject of a zone's monthly submission.
pub const ZONE_MONTH: &str = "zone_month";

/// Records a subject's state, with who set it and why ($1 subject, $2 scope, $3 period).
const RECORD_STATE: &str = "INSERT INTO workflow_states (subject, scope, period, state, reason, updated_at, updated_by) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (subject, scope, period) DO UPDATE SET state = excluded.state, \
    reason = excluded.reason, updated_at = excluded.updated_at, updated_by = excluded.updated_by";

impl Store {
    /// The recorded states of the months `from..=to` (months without a row are drafts).
    pub async fn submissions(&self, from: Month, to: Month) -> Result<Vec<SubmissionRow>> {
        let rows = sqlx::query(
            "SELECT scope, period, state, reason, updated_at, updated_by FROM workflow_states \
             WHERE subject = $1 AND period BETWEEN $2 AND $3 ORDER BY period, scope",
        )
        .bind(ZONE_MONTH)
        .bind(i64::from(from.yyyymm()))
        .bind(i64::from(to.yyyymm()))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| SubmissionRow {
                zone: r.get(0),
                month: Month::from_yyyymm(r.get::<i64, _>(1) as i32).map(|m| m.to_string()).unwrap_or_default(),
                state: r.get(2),
                reason: r.get(3),
                updated_at: r.get(4),
                updated_by: r.get(5),
            })
            .collect())
    }

    /// Moves a zone-month from `expected` to `to`, in one transaction with its audit entry (whose
    /// reason is recorded with the state). Fails when someone else moved it first, so two
    /// reviewers never both act on a stale state.
    pub async fn step_submission(&self, zone: &str, month: Month, expected: &str, to: &str, audit: &AuditRecord) -> Result<()> {
        self.step_many(&[(zone.to_string(), month, expected.to_string())], to, std::slice::from_ref(audit)).await
    }

    /// The (zone, month) pairs that have facts, through `through`: the months a zone has reported.
    pub async fn months_with_facts(&self, through: Month) -> Result<Vec<(String, Month)>> {
        let rows = sqlx::query("SELECT DISTINCT zone, month FROM cell_months WHERE month <= $1 ORDER BY month, zone")
            .bind(i64::from(through.yyyymm()))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().filter_map(|r| Some((r.get(0), Month::from_yyyymm(r.get::<i64, _>(1) as i32)?))).collect())
    }

    /// Moves many zone-months at once, each from the state it was read in to `to`, with an
    /// audit entry each, in one transaction; fails whole when any changed meanwhile.
    pub async fn step_many(&self, changes: &[(String, Month, String)], to: &str, audits: &[AuditRecord]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self.engine == crate::Engine::Postgres {
            tx.execute(crate::MONTHS_LOCK).await?;
        }
        for ((zone, month, expected), audit) in changes.iter().zip(audits) {
            let current: Option<String> =
                sqlx::query("SELECT state FROM workflow_states WHERE subject = $1 AND scope = $2 AND period = $3")
                    .bind(ZONE_MONTH)
                    .bind(zone)
                    .bind(i64::from(month.yyyymm()))
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| r.get(0));
            if current.as_deref().unwrap_or("draft") != expected {
                return Err(StoreError::Invalid(format!(
                    "{zone} {month} 的状态已被他人更改,请重试 / {zone} {month} changed meanwhile, try again"
                )));
            }
            sqlx::query(RECORD_STATE)
                .bind(ZONE_MONTH)
                .bind(zone)
                .bind(i64::from(month.yyyymm()))
                .bind(to)
                .bind(&audit.reason)
                .bind(now())
                .bind(&audit.actor)
                .execute(&mut *tx)
                .await?;
            append(&mut tx, self.engine, &self.seal, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records many zone-months as locked at once (the demo's history).
    pub async fn lock_months(&self, zones: &[String], months: &[Month], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self.engine == crate::Engine::Postgres {
            tx.execute(crate::MONTHS_LOCK).await?;
        }
        for z in zones {
            for m in months {
                sqlx::query(RECORD_STATE)
                    .bind(ZONE_MONTH)
                    .bind(z)
                    .bind(i64::from(m.yyyymm()))
                    .bind("locked")
                    .bind("")
                    .bind(now())
                    .bind(&audit.actor)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.commit_audited(tx, audit).await
    }
}
