//! Per-mu evaluation runs (M6): each run's method and per-enterprise results as computed, the
//! objections raised during publication with their outcome, and the bonuses and penalties that
//! go into the next computation. A run's state is the shared workflow's (`EVALUATION_RUN`).

use domain::submission::SubmissionState;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};

use crate::audit::AuditRecord;
use crate::migrate::now;
use crate::workflow::{EVALUATION_RUN, stored_state};
use crate::{Engine, MONTHS_LOCK, Result, Store, StoreError};

/// One computation of a year's evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRun {
    pub id: i64,
    pub year: i32,
    /// "official" or "provisional".
    pub figures: String,
    /// The method as computed with (JSON).
    pub method: String,
    pub created_at: i64,
    pub created_by: String,
    pub computed_at: i64,
    /// The publication (公示) period, YYYY-MM-DD, once published.
    pub publish_from: Option<String>,
    pub publish_to: Option<String>,
    /// From the workflow; a run without a recorded state is a draft.
    pub state: SubmissionState,
}

/// One enterprise's result in a run: the columns lists filter and sort on, and the full result
/// and its inputs as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRow {
    pub uscc: String,
    pub zone: String,
    pub name: String,
    pub park: Option<String>,
    pub scale: String,
    pub class: String,
    pub total: f64,
    pub rank: Option<i64>,
    pub result: String,
    pub subject: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Objection {
    pub id: i64,
    pub run_id: i64,
    pub uscc: String,
    pub text: String,
    pub raised_by: String,
    pub raised_at: i64,
    /// None while pending; "upheld" or "rejected" once decided.
    pub outcome: Option<String>,
    pub decision: String,
    pub decided_by: String,
    pub decided_at: Option<i64>,
}

/// Bonus (positive) or penalty (negative) points for an enterprise's total in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    pub year: i32,
    pub uscc: String,
    /// Hundredths of a point.
    pub points: i64,
    pub reason: String,
    pub set_by: String,
    pub set_at: i64,
}

const RUN_COLUMNS: &str = "r.id, r.year, r.figures, r.method, r.created_at, r.created_by, r.computed_at, r.publish_from, \
    r.publish_to, w.state";

/// The run joined with its workflow state (scope the run's id, period its year).
fn run_from() -> String {
    format!(
        "FROM evaluation_runs r LEFT JOIN workflow_states w \
         ON w.subject = '{EVALUATION_RUN}' AND w.scope = CAST(r.id AS TEXT) AND w.period = r.year"
    )
}

const ROW_COLUMNS: &str = "uscc, zone, name, scale, class, total, rank, result, subject, park";

const OBJECTION_COLUMNS: &str = "id, run_id, uscc, text, raised_by, raised_at, outcome, decision, decided_by, decided_at";

/// Rows per INSERT, eleven parameters each: the driver looks each parameter up by name, so a
/// statement's binding costs grow with the square of its parameters.
const BATCH: usize = 30;

fn run_of(r: &AnyRow) -> Result<EvaluationRun> {
    Ok(EvaluationRun {
        id: r.get(0),
        year: r.get::<i64, _>(1) as i32,
        figures: r.get(2),
        method: r.get(3),
        created_at: r.get(4),
        created_by: r.get(5),
        computed_at: r.get(6),
        publish_from: r.get(7),
        publish_to: r.get(8),
        state: match r.get::<Option<String>, _>(9) {
            Some(s) => stored_state(&s)?,
            None => SubmissionState::Draft,
        },
    })
}

fn row_of(r: &AnyRow) -> EvaluationRow {
    EvaluationRow {
        uscc: r.get(0),
        zone: r.get(1),
        name: r.get(2),
        scale: r.get(3),
        class: r.get(4),
        total: r.get(5),
        rank: r.get(6),
        result: r.get(7),
        subject: r.get(8),
        park: r.get(9),
    }
}

fn objection_of(r: &AnyRow) -> Objection {
    Objection {
        id: r.get(0),
        run_id: r.get(1),
        uscc: r.get(2),
        text: r.get(3),
        raised_by: r.get(4),
        raised_at: r.get(5),
        outcome: r.get(6),
        decision: r.get(7),
        decided_by: r.get(8),
        decided_at: r.get(9),
    }
}

impl Store {
    /// A write that reads a run's state and acts on it, serialised with the workflow's steps.
    async fn begin_evaluation_write(&self) -> Result<Transaction<'static, Any>> {
        let mut tx = self.begin_write().await?;
        if self.engine == Engine::Postgres {
            tx.execute(MONTHS_LOCK).await?;
        }
        Ok(tx)
    }

    /// The state of run `id` as this transaction sees it; refuses unless it is one of `allowed`.
    async fn run_state_in(tx: &mut Transaction<'static, Any>, id: i64, allowed: &[SubmissionState]) -> Result<EvaluationRun> {
        let run = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {RUN_COLUMNS} {} WHERE r.id = $1", run_from())))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("评价批次 {id} 不存在 / no such evaluation run")))?;
        let run = run_of(&run)?;
        if !allowed.contains(&run.state) {
            return Err(StoreError::Invalid(format!(
                "评价批次 {id} 已是“{}”,不能再改 / run {id} is {} meanwhile",
                run.state.zh(),
                run.state.code()
            )));
        }
        Ok(run)
    }

    async fn insert_rows(tx: &mut Transaction<'static, Any>, run: i64, rows: &[EvaluationRow]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let mut sql = format!("INSERT INTO evaluation_results (run_id, {ROW_COLUMNS}) VALUES ");
            for k in 0..chunk.len() {
                if k > 0 {
                    sql.push(',');
                }
                let params: Vec<String> = (1..=11).map(|i| format!("${}", k * 11 + i)).collect();
                sql.push_str(&format!("({})", params.join(", ")));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(run)
                    .bind(&r.uscc)
                    .bind(&r.zone)
                    .bind(&r.name)
                    .bind(&r.scale)
                    .bind(&r.class)
                    .bind(r.total)
                    .bind(r.rank)
                    .bind(&r.result)
                    .bind(&r.subject)
                    .bind(&r.park);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Saves a new run (a draft) with its results; returns its id.
    pub async fn save_evaluation_run(
        &self,
        year: i32,
        figures: &str,
        method: &str,
        rows: &[EvaluationRow],
        audit: &AuditRecord,
    ) -> Result<i64> {
        let mut tx = self.begin_evaluation_write().await?;
        let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM evaluation_runs").fetch_one(&mut *tx).await?;
        let at = now();
        sqlx::query(
            "INSERT INTO evaluation_runs (id, year, figures, method, created_at, created_by, computed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(i64::from(year))
        .bind(figures)
        .bind(method)
        .bind(at)
        .bind(&audit.actor)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        Self::insert_rows(&mut tx, id, rows).await?;
        let mut audit = audit.clone();
        audit.entity_id = format!("{year}/{id}");
        self.commit_audited(tx, &audit).await?;
        Ok(id)
    }

    /// Replaces a draft or returned run's results with a new computation; a run published or
    /// final meanwhile is refused and left as it was.
    pub async fn replace_evaluation_results(
        &self,
        id: i64,
        method: &str,
        rows: &[EvaluationRow],
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin_evaluation_write().await?;
        Self::run_state_in(&mut tx, id, &[SubmissionState::Draft, SubmissionState::Returned]).await?;
        sqlx::query("DELETE FROM evaluation_results WHERE run_id = $1").bind(id).execute(&mut *tx).await?;
        Self::insert_rows(&mut tx, id, rows).await?;
        sqlx::query("UPDATE evaluation_runs SET method = $1, computed_at = $2 WHERE id = $3")
            .bind(method)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.commit_audited(tx, audit).await
    }

    /// Sets the publication period of a run about to be published (draft or returned).
    pub async fn set_publication(&self, id: i64, from: &str, to: &str) -> Result<()> {
        let mut tx = self.begin_evaluation_write().await?;
        Self::run_state_in(&mut tx, id, &[SubmissionState::Draft, SubmissionState::Returned]).await?;
        sqlx::query("UPDATE evaluation_runs SET publish_from = $1, publish_to = $2 WHERE id = $3")
            .bind(from)
            .bind(to)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The runs of a year (or of every year), newest first.
    pub async fn evaluation_runs(&self, year: Option<i32>) -> Result<Vec<EvaluationRun>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} {} WHERE $1 IS NULL OR r.year = $1 ORDER BY r.year DESC, r.id DESC",
            run_from()
        )))
        .bind(year.map(i64::from))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_of).collect()
    }

    pub async fn evaluation_run(&self, id: i64) -> Result<Option<EvaluationRun>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {RUN_COLUMNS} {} WHERE r.id = $1", run_from())))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(run_of).transpose()
    }

    /// One enterprise's result in a run (a whole run is read a page at a time:
    /// `evaluation_results_after`).
    pub async fn evaluation_result(&self, run: i64, uscc: &str) -> Result<Option<EvaluationRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ROW_COLUMNS} FROM evaluation_results WHERE run_id = $1 AND uscc = $2"
        )))
        .bind(run)
        .bind(uscc)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(row_of))
    }

    /// A page of a run's results by credit code, after `after` (from the start when empty): a
    /// run of 100,000 results is read a page at a time, never with all its texts at once.
    pub async fn evaluation_results_after(&self, run: i64, after: &str, limit: i64) -> Result<Vec<EvaluationRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ROW_COLUMNS} FROM evaluation_results WHERE run_id = $1 AND uscc > $2 ORDER BY uscc LIMIT $3"
        )))
        .bind(run)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(row_of).collect())
    }

    /// Each enterprise's class in a run (uscc, class), without the results' texts.
    pub async fn run_classes(&self, run: i64) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT uscc, class FROM evaluation_results WHERE run_id = $1").bind(run).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// The first enterprise of a run given `class`, by scale and rank (without reading the rest).
    pub async fn first_of_class(&self, run: i64, class: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT uscc FROM evaluation_results WHERE run_id = $1 AND class = $2 \
             ORDER BY scale, rank IS NULL, rank, uscc LIMIT 1",
        )
        .bind(run)
        .bind(class)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// How many enterprises a run evaluated.
    pub async fn evaluation_count(&self, run: i64) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM evaluation_results WHERE run_id = $1")
            .bind(run)
            .fetch_one(&self.pool)
            .await?)
    }

    /// An enterprise's results in the last final (locked) run of each year, by year.
    pub async fn final_results_of(&self, uscc: &str) -> Result<Vec<(i32, EvaluationRow)>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT e.uscc, e.zone, e.name, e.scale, e.class, e.total, e.rank, e.result, e.subject, e.park, r.year {} \
             JOIN evaluation_results e ON e.run_id = r.id WHERE e.uscc = $1 AND w.state = 'locked' ORDER BY r.year, r.id",
            run_from()
        )))
        .bind(uscc)
        .fetch_all(&self.pool)
        .await?;
        // A later final run of a year stands for the year.
        let mut out: Vec<(i32, EvaluationRow)> = Vec::new();
        for r in &rows {
            let year = r.get::<i64, _>(10) as i32;
            if out.last().is_some_and(|(y, _)| *y == year) {
                out.pop();
            }
            out.push((year, row_of(r)));
        }
        Ok(out)
    }

    /// Records an objection to an enterprise's result in a run under publication; returns its id.
    pub async fn add_objection(&self, run: i64, uscc: &str, text: &str, audit: &AuditRecord) -> Result<i64> {
        let mut tx = self.begin_evaluation_write().await?;
        Self::run_state_in(&mut tx, run, &[SubmissionState::Submitted]).await?;
        let id: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM evaluation_objections").fetch_one(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO evaluation_objections (id, run_id, uscc, text, raised_by, raised_at, outcome, decision, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, '', '', NULL)",
        )
        .bind(id)
        .bind(run)
        .bind(uscc)
        .bind(text)
        .bind(&audit.actor)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await?;
        Ok(id)
    }

    /// Decides a pending objection; one decided meanwhile is refused.
    pub async fn decide_objection(&self, id: i64, outcome: &str, decision: &str, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_evaluation_write().await?;
        let done = sqlx::query(
            "UPDATE evaluation_objections SET outcome = $1, decision = $2, decided_by = $3, decided_at = $4 \
             WHERE id = $5 AND outcome IS NULL",
        )
        .bind(outcome)
        .bind(decision)
        .bind(&audit.actor)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Invalid(format!("异议 {id} 不存在或已处理 / objection {id} is gone or decided")));
        }
        self.commit_audited(tx, audit).await
    }

    /// The objections to a run (of one enterprise, or all), oldest first.
    pub async fn objections(&self, run: i64, uscc: Option<&str>) -> Result<Vec<Objection>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OBJECTION_COLUMNS} FROM evaluation_objections WHERE run_id = $1 AND ($2 IS NULL OR uscc = $2) ORDER BY id"
        )))
        .bind(run)
        .bind(uscc)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(objection_of).collect())
    }

    pub async fn objection(&self, id: i64) -> Result<Option<Objection>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OBJECTION_COLUMNS} FROM evaluation_objections WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.as_ref().map(objection_of))
    }

    /// Sets (or, with zero points, clears) an enterprise's adjustment for a year.
    pub async fn set_adjustment(&self, year: i32, uscc: &str, points: i64, reason: &str, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_evaluation_write().await?;
        sqlx::query("DELETE FROM evaluation_adjustments WHERE year = $1 AND uscc = $2")
            .bind(i64::from(year))
            .bind(uscc)
            .execute(&mut *tx)
            .await?;
        if points != 0 {
            sqlx::query(
                "INSERT INTO evaluation_adjustments (year, uscc, points, reason, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(i64::from(year))
            .bind(uscc)
            .bind(points)
            .bind(reason)
            .bind(&audit.actor)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        self.commit_audited(tx, audit).await
    }

    pub async fn adjustments(&self, year: i32) -> Result<Vec<Adjustment>> {
        let rows = sqlx::query(
            "SELECT year, uscc, points, reason, set_by, set_at FROM evaluation_adjustments WHERE year = $1 ORDER BY uscc",
        )
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Adjustment {
                year: r.get::<i64, _>(0) as i32,
                uscc: r.get(1),
                points: r.get(2),
                reason: r.get(3),
                set_by: r.get(4),
                set_at: r.get(5),
            })
            .collect())
    }
}
