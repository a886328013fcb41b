//! The loaded plan file, and the facts columns its indicators need.

use domain::Plan;
use sqlx::{Executor, Row};

use crate::{AuditRecord, Engine, Result, Store, fact_column, migrate::now_text};

impl Store {
    /// The source of the plan this database runs on, if one was loaded.
    pub async fn plan_source(&self) -> Result<Option<String>> {
        let row = sqlx::query("SELECT source FROM plan_file WHERE id = 1").fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    /// Stores a validated plan and adds a facts column for each indicator it introduces.
    pub async fn save_plan(&self, source: &str, plan: &Plan, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if self.engine == Engine::Postgres {
            // Several nodes starting on a new database all load the default plan; one at a time.
            tx.execute("SELECT pg_advisory_xact_lock(7243002)").await?;
        }
        let existing: Vec<String> =
            sqlx::query("SELECT code FROM indicator_columns").fetch_all(&mut *tx).await?.iter().map(|r| r.get(0)).collect();
        for ind in plan.indicators.iter().filter(|i| !existing.iter().any(|c| i.code == *c)) {
            let sql = format!("ALTER TABLE facts ADD COLUMN {} BIGINT", fact_column(&ind.code));
            tx.execute(sqlx::AssertSqlSafe(sql)).await?;
            sqlx::query("INSERT INTO indicator_columns (code) VALUES ($1)").bind(ind.code.as_str()).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM plan_file").execute(&mut *tx).await?;
        sqlx::query("INSERT INTO plan_file (id, code, source, loaded_at) VALUES (1, $1, $2, $3)")
            .bind(&plan.code)
            .bind(source)
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        self.commit_audited(tx, audit).await
    }
}
