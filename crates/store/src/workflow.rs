//! The workflow's states (submit → review → lock) of any subject, one table for all: a zone's
//! month (`zone_month`: scope the zone, period the month as yyyymm) today; a project's monthly
//! report or an evaluation run take their own subject code and the same calls.

use domain::submission::SubmissionState;
use sqlx::{Executor, Row};

use crate::audit::{AuditRecord, append};
use crate::migrate::now;
use crate::{Result, Store, StoreError, stored};

/// The subject of a zone's monthly submission.
pub const ZONE_MONTH: &str = "zone_month";

/// The subject of a per-mu evaluation run (scope its id, period its year).
pub const EVALUATION_RUN: &str = "evaluation_run";

/// A recorded state; a (scope, period) without one is a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRow {
    pub scope: String,
    pub period: i64,
    pub state: SubmissionState,
    pub reason: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// One step to record: the (scope, period) and the state it was read in, so that a change made
/// meanwhile by someone else is caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub scope: String,
    pub period: i64,
    pub from: SubmissionState,
}

/// Records a subject's state, with who set it and why ($1 subject, $2 scope, $3 period).
const RECORD_STATE: &str = "INSERT INTO workflow_states (subject, scope, period, state, reason, updated_at, updated_by) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (subject, scope, period) DO UPDATE SET state = excluded.state, \
    reason = excluded.reason, updated_at = excluded.updated_at, updated_by = excluded.updated_by";

/// A stored state the program does not know is corrupt data, never a draft: read as one it
/// would make a closed month editable.
pub(crate) fn stored_state(text: &str) -> Result<SubmissionState> {
    stored(text, |s| SubmissionState::parse(s).ok_or_else(|| format!("unknown workflow state '{}'", domain::shorten(s))))
}

impl Store {
    /// The recorded states of a subject for periods `from..=to`.
    pub async fn workflow_states(&self, subject: &str, from: i64, to: i64) -> Result<Vec<StateRow>> {
        let rows = sqlx::query(
            "SELECT scope, period, state, reason, updated_at, updated_by FROM workflow_states \
             WHERE subject = $1 AND period BETWEEN $2 AND $3 ORDER BY period, scope",
        )
        .bind(subject)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StateRow {
                    scope: r.get(0),
                    period: r.get(1),
                    state: stored_state(r.get(2))?,
                    reason: r.get(3),
                    updated_at: r.get(4),
                    updated_by: r.get(5),
                })
            })
            .collect()
    }

    /// Moves each (scope, period) from the state it was read in to `to`, with an audit entry each
    /// (whose reason is recorded with the state), in one transaction; fails whole when any
    /// changed meanwhile, so two reviewers never both act on a stale state.
    pub async fn step_states(
        &self,
        subject: &str,
        changes: &[StateChange],
        to: SubmissionState,
        audits: &[AuditRecord],
        notices: &[domain::inbox::Notice],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self.engine == crate::Engine::Postgres {
            tx.execute(crate::MONTHS_LOCK).await?;
        }
        let mut last = None;
        for (change, audit) in changes.iter().zip(audits) {
            let current = sqlx::query("SELECT state FROM workflow_states WHERE subject = $1 AND scope = $2 AND period = $3")
                .bind(subject)
                .bind(&change.scope)
                .bind(change.period)
                .fetch_optional(&mut *tx)
                .await?;
            let current = match current {
                Some(r) => stored_state(r.get(0))?,
                None => SubmissionState::Draft,
            };
            if current != change.from {
                return Err(StoreError::Invalid(format!(
                    "{} 的状态已被他人更改,请重试 / {} changed meanwhile, try again",
                    audit.entity_id, audit.entity_id
                )));
            }
            sqlx::query(RECORD_STATE)
                .bind(subject)
                .bind(&change.scope)
                .bind(change.period)
                .bind(to.code())
                .bind(&audit.reason)
                .bind(now())
                .bind(&audit.actor)
                .execute(&mut *tx)
                .await?;
            last = Some(append(&mut tx, self.engine, &self.seal, audit).await?);
        }
        crate::inbox::notify(&mut tx, notices, now()).await?;
        tx.commit().await?;
        if let Some(a) = &last {
            self.seal.committed(a);
        }
        Ok(())
    }

    /// Records every (scope, period) of the given ones as `state` at once, under one audit entry
    /// (the demo's reviewed history).
    pub async fn record_states(
        &self,
        subject: &str,
        scopes: &[&str],
        periods: &[i64],
        state: SubmissionState,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self.engine == crate::Engine::Postgres {
            tx.execute(crate::MONTHS_LOCK).await?;
        }
        for scope in scopes {
            for period in periods {
                sqlx::query(RECORD_STATE)
                    .bind(subject)
                    .bind(*scope)
                    .bind(*period)
                    .bind(state.code())
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
