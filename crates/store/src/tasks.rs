//! Progress notes on the plan's key tasks and safeguards.

use domain::Month;
use sqlx::Row;

use crate::audit::AuditRecord;
use crate::migrate::now;
use crate::{Result, Store};

/// One organisation's note on one task for one month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskNote {
    pub task: String,
    pub month: String,
    /// The department or zone code that wrote it ("coordinator" for the 经发局's own).
    pub organisation: String,
    pub note: String,
    pub author: String,
    pub at: i64,
}

impl Store {
    /// The notes written for `month`.
    pub async fn task_notes(&self, month: Month) -> Result<Vec<TaskNote>> {
        let rows = sqlx::query(
            "SELECT task, organisation, note, author, at FROM task_notes WHERE month = $1 ORDER BY task, organisation",
        )
        .bind(i64::from(month.yyyymm()))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| TaskNote {
                task: r.get(0),
                month: month.to_string(),
                organisation: r.get(1),
                note: r.get(2),
                author: r.get(3),
                at: r.get(4),
            })
            .collect())
    }

    /// Writes (or rewrites) an organisation's note for a month, with its audit entry.
    pub async fn save_task_note(
        &self,
        task: &str,
        month: Month,
        organisation: &str,
        note: &str,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO task_notes (task, month, organisation, note, author, at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (task, month, organisation) DO UPDATE SET note = excluded.note, author = excluded.author, at = excluded.at",
        )
        .bind(task)
        .bind(i64::from(month.yyyymm()))
        .bind(organisation)
        .bind(note)
        .bind(&audit.actor)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await
    }
}
