//! Major projects (M3): the library, annual investment plans, monthly reports, pre-construction
//! requirements, the problems raised in reports and their site photos.

use std::collections::HashMap;

use domain::calendar::Date;
use domain::projects::{Problem, ProblemStatus, Project, ProjectKind, ProjectLine, ProjectStatus, Requirement, RequirementKind};
use domain::{IndustryCode, Month, Uscc, ZoneCode};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::AuditRecord;
use crate::migrate::now;
use crate::{Result, Store, StoreError, stored};

const PROJECT_COLUMNS: &str = "code, name, investor_uscc, zone, industry, kind, provincial_key, provincial_major, provincial_300, \
    total_investment, status, planned_start, actual_start, planned_completion, actual_completion";

/// A monthly report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectReport {
    pub code: String,
    pub month: Month,
    pub investment: i64,
    pub progress_note: String,
}

/// A site photo's description; its bytes are read on their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoInfo {
    pub id: i64,
    pub code: String,
    pub month: Month,
    pub file_name: String,
    pub content_type: String,
    pub author: String,
    pub at: i64,
}

/// A photo's description from `id, code, month, file_name, content_type, author, at`.
fn photo_info(r: &AnyRow) -> Result<PhotoInfo> {
    Ok(PhotoInfo {
        id: r.get(0),
        code: r.get(1),
        month: month_of(Some(r.get(2)))?.expect("a value"),
        file_name: r.get(3),
        content_type: r.get(4),
        author: r.get(5),
        at: r.get(6),
    })
}

fn month_of(v: Option<i64>) -> Result<Option<Month>> {
    v.map(|v| Month::from_yyyymm(v as i32).ok_or_else(|| StoreError::Corrupt(format!("month {v}")))).transpose()
}

fn date_of(v: &str) -> Result<Date> {
    stored(v, |s| Date::parse(s).ok_or_else(|| format!("date '{}'", domain::shorten(s))))
}

fn coded<T>(v: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T> {
    stored(v, |s| parse(s).ok_or_else(|| format!("{what} '{}'", domain::shorten(s))))
}

fn project_of(r: &AnyRow) -> Result<Project> {
    Ok(Project {
        code: r.get(0),
        name: r.get(1),
        investor_uscc: r.get::<Option<String>, _>(2).map(|u| stored(&u, Uscc::parse)).transpose()?,
        zone: stored(r.get(3), ZoneCode::parse)?,
        industry: stored(r.get(4), IndustryCode::parse)?,
        kind: coded(r.get(5), ProjectKind::parse, "project type")?,
        provincial_key: r.get::<i64, _>(6) != 0,
        provincial_major: r.get::<i64, _>(7) != 0,
        provincial_300: r.get::<i64, _>(8) != 0,
        total_investment: r.get(9),
        status: coded(r.get(10), ProjectStatus::parse, "project status")?,
        planned_start: month_of(r.get(11))?,
        actual_start: month_of(r.get(12))?,
        planned_completion: month_of(r.get(13))?,
        actual_completion: month_of(r.get(14))?,
    })
}

fn ym(m: Option<Month>) -> Option<i64> {
    m.map(|m| i64::from(m.yyyymm()))
}

pub(crate) async fn upsert_project(tx: &mut Transaction<'static, Any>, p: &Project) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO projects ({PROJECT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, investor_uscc = excluded.investor_uscc, zone = excluded.zone, \
         industry = excluded.industry, kind = excluded.kind, provincial_key = excluded.provincial_key, \
         provincial_major = excluded.provincial_major, provincial_300 = excluded.provincial_300, \
         total_investment = excluded.total_investment, status = excluded.status, planned_start = excluded.planned_start, \
         actual_start = excluded.actual_start, planned_completion = excluded.planned_completion, \
         actual_completion = excluded.actual_completion"
    )))
    .bind(&p.code)
    .bind(&p.name)
    .bind(p.investor_uscc.as_ref().map(|u| u.to_string()))
    .bind(p.zone.as_str())
    .bind(p.industry.as_str())
    .bind(p.kind.code())
    .bind(i64::from(p.provincial_key))
    .bind(i64::from(p.provincial_major))
    .bind(i64::from(p.provincial_300))
    .bind(p.total_investment)
    .bind(p.status.code())
    .bind(ym(p.planned_start))
    .bind(ym(p.actual_start))
    .bind(ym(p.planned_completion))
    .bind(ym(p.actual_completion))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Writes the rows of a project file in one transaction with its audit entry; a row whose key
    /// is stored already replaces it.
    pub async fn save_project_lines(&self, lines: &[ProjectLine], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for line in lines {
            match line {
                ProjectLine::Project(p) => upsert_project(&mut tx, p).await?,
                ProjectLine::Plan(l) => {
                    sqlx::query(
                        "INSERT INTO project_plans (code, year, planned) VALUES ($1, $2, $3) \
                         ON CONFLICT (code, year) DO UPDATE SET planned = excluded.planned",
                    )
                    .bind(&l.code)
                    .bind(i64::from(l.year))
                    .bind(l.planned)
                    .execute(&mut *tx)
                    .await?;
                }
                ProjectLine::Report(l) => {
                    sqlx::query(
                        "INSERT INTO project_reports (code, month, investment, progress_note) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (code, month) DO UPDATE SET investment = excluded.investment, progress_note = excluded.progress_note",
                    )
                    .bind(&l.code)
                    .bind(i64::from(l.month.yyyymm()))
                    .bind(l.investment)
                    .bind(&l.progress_note)
                    .execute(&mut *tx)
                    .await?;
                }
                ProjectLine::Requirement(l) => {
                    sqlx::query(
                        "INSERT INTO project_requirements (code, kind, department, planned, done) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (code, kind) DO UPDATE SET department = excluded.department, planned = excluded.planned, \
                         done = excluded.done",
                    )
                    .bind(&l.code)
                    .bind(l.kind.code())
                    .bind(&l.department)
                    .bind(l.planned.to_string())
                    .bind(l.done.map(|d| d.to_string()))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        self.commit_audited(tx, audit).await
    }

    /// Projects in the given zones (all when empty), by zone and code.
    pub async fn projects(&self, zones: &[ZoneCode]) -> Result<Vec<Project>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PROJECT_COLUMNS} FROM projects ORDER BY zone, code")))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let p = project_of(r)?;
            if zones.is_empty() || zones.contains(&p.zone) {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// How many projects of `industries` with a total of at least `min_total` (in 1/100 万元)
    /// actually started within `from..=to`: counted where they are, not read.
    pub async fn projects_started(&self, industries: &[&str], min_total: i64, from: Month, to: Month) -> Result<i64> {
        if industries.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM projects WHERE total_investment >= $1 AND actual_start BETWEEN $2 AND $3 AND industry IN ({})",
            crate::enterprises::placeholders(industries.len(), 4)
        );
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(min_total)
            .bind(i64::from(from.yyyymm()))
            .bind(i64::from(to.yyyymm()));
        for i in industries {
            q = q.bind(*i);
        }
        Ok(q.fetch_one(&self.pool).await?)
    }

    pub async fn project(&self, code: &str) -> Result<Option<Project>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE code = $1")))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(project_of).transpose()
    }

    /// Every project code with its zone, for checking an import's rows.
    pub async fn project_zones(&self) -> Result<HashMap<String, ZoneCode>> {
        let rows = sqlx::query("SELECT code, zone FROM projects").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.get(0), stored(r.get(1), ZoneCode::parse)?))).collect()
    }

    /// Each project's planned investment for a year.
    pub async fn project_plans(&self, year: i32) -> Result<HashMap<String, i64>> {
        let rows = sqlx::query("SELECT code, planned FROM project_plans WHERE year = $1")
            .bind(i64::from(year))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Each project's reported investment summed over months `from..=to`.
    pub async fn project_investment(&self, from: Month, to: Month) -> Result<HashMap<String, i64>> {
        let rows = sqlx::query(
            "SELECT code, CAST(SUM(investment) AS BIGINT) FROM project_reports WHERE month BETWEEN $1 AND $2 GROUP BY code",
        )
        .bind(i64::from(from.yyyymm()))
        .bind(i64::from(to.yyyymm()))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Every annual plan, by project and year.
    pub async fn all_project_plans(&self) -> Result<Vec<(String, i32, i64)>> {
        let rows = sqlx::query("SELECT code, year, planned FROM project_plans ORDER BY code, year").fetch_all(&self.pool).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get::<i64, _>(1) as i32, r.get(2))).collect())
    }

    /// Every monthly report, by project and month.
    pub async fn all_project_reports(&self) -> Result<Vec<ProjectReport>> {
        let rows = sqlx::query("SELECT code, month, investment, progress_note FROM project_reports ORDER BY code, month")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ProjectReport {
                    code: r.get(0),
                    month: month_of(Some(r.get(1)))?.expect("a value"),
                    investment: r.get(2),
                    progress_note: r.get(3),
                })
            })
            .collect()
    }

    /// A project's monthly reports, by month.
    pub async fn project_reports(&self, code: &str) -> Result<Vec<ProjectReport>> {
        let rows = sqlx::query("SELECT month, investment, progress_note FROM project_reports WHERE code = $1 ORDER BY month")
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ProjectReport {
                    code: code.to_string(),
                    month: month_of(Some(r.get(0)))?.expect("a value"),
                    investment: r.get(1),
                    progress_note: r.get(2),
                })
            })
            .collect()
    }

    /// Requirements by project (of one project, or all).
    pub async fn project_requirements(&self, code: Option<&str>) -> Result<HashMap<String, Vec<Requirement>>> {
        let rows = sqlx::query(
            "SELECT code, kind, department, planned, done FROM project_requirements WHERE ($1 = '' OR code = $1) ORDER BY code, planned",
        )
        .bind(code.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<String, Vec<Requirement>> = HashMap::new();
        for r in &rows {
            let req = Requirement {
                kind: coded(r.get(1), RequirementKind::parse, "requirement")?,
                department: r.get(2),
                planned: date_of(r.get(3))?,
                done: r.get::<Option<String>, _>(4).as_deref().map(date_of).transpose()?,
            };
            out.entry(r.get(0)).or_default().push(req);
        }
        Ok(out)
    }

    /// Records a requirement as done (or not yet, with `None`), audited.
    pub async fn set_requirement_done(
        &self,
        code: &str,
        kind: RequirementKind,
        done: Option<Date>,
        audit: &AuditRecord,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE project_requirements SET done = $1 WHERE code = $2 AND kind = $3")
            .bind(done.map(|d| d.to_string()))
            .bind(code)
            .bind(kind.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        self.commit_audited(tx, audit).await?;
        Ok(true)
    }

    /// Problems by project (of one project, or all), newest last.
    pub async fn project_problems(&self, code: Option<&str>) -> Result<HashMap<String, Vec<Problem>>> {
        let rows = sqlx::query(
            "SELECT code, id, description, department, due, status, resolution, resolved_on FROM project_problems \
             WHERE ($1 = '' OR code = $1) ORDER BY code, id",
        )
        .bind(code.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<String, Vec<Problem>> = HashMap::new();
        for r in &rows {
            let p = Problem {
                id: r.get(1),
                description: r.get(2),
                department: r.get(3),
                due: date_of(r.get(4))?,
                status: coded(r.get(5), ProblemStatus::parse, "problem status")?,
                resolution: r.get(6),
                resolved_on: r.get::<Option<String>, _>(7).as_deref().map(date_of).transpose()?,
            };
            out.entry(r.get(0)).or_default().push(p);
        }
        Ok(out)
    }

    /// Adds a problem raised in a project's report for `month`; returns its id.
    pub async fn add_problem(
        &self,
        code: &str,
        month: Month,
        description: &str,
        department: &str,
        due: Date,
        audit: &AuditRecord,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM project_problems").fetch_one(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO project_problems (id, code, month, description, department, due, status, resolution, resolved_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, '', NULL)",
        )
        .bind(id)
        .bind(code)
        .bind(i64::from(month.yyyymm()))
        .bind(description)
        .bind(department)
        .bind(due.to_string())
        .bind(ProblemStatus::Open.code())
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await?;
        Ok(id)
    }

    /// The project a problem belongs to, with the problem.
    pub async fn problem(&self, id: i64) -> Result<Option<(String, Problem)>> {
        let row = sqlx::query("SELECT code FROM project_problems WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        let Some(code) = row.map(|r| r.get::<String, _>(0)) else { return Ok(None) };
        let problems = self.project_problems(Some(&code)).await?;
        Ok(problems.get(&code).and_then(|list| list.iter().find(|p| p.id == id)).map(|p| (code, p.clone())))
    }

    /// Moves a problem to a status, with its resolution; `resolved_on` is set when it is resolved.
    /// Fails with a conflict when its status changed since it was read.
    pub async fn update_problem(
        &self,
        id: i64,
        expected: ProblemStatus,
        status: ProblemStatus,
        resolution: &str,
        resolved_on: Option<Date>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE project_problems SET status = $1, resolution = $2, resolved_on = $3 WHERE id = $4 AND status = $5",
        )
        .bind(status.code())
        .bind(resolution)
        .bind(resolved_on.map(|d| d.to_string()))
        .bind(id)
        .bind(expected.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "问题 {id} 已被他人更新,请刷新后重试 / problem {id} changed meanwhile, reload and try again"
            )));
        }
        self.commit_audited(tx, audit).await
    }

    /// Stores a site photo with its thumbnail; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_photo(
        &self,
        code: &str,
        month: Month,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
        thumbnail: &[u8],
        audit: &AuditRecord,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM project_photos").fetch_one(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO project_photos (id, code, month, file_name, content_type, bytes, thumbnail, author, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(code)
        .bind(i64::from(month.yyyymm()))
        .bind(file_name)
        .bind(content_type)
        .bind(bytes.to_vec())
        .bind(thumbnail.to_vec())
        .bind(&audit.actor)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await?;
        Ok(id)
    }

    /// A project's photos, without their bytes.
    pub async fn photos(&self, code: &str) -> Result<Vec<PhotoInfo>> {
        let rows = sqlx::query(
            "SELECT id, code, month, file_name, content_type, author, at FROM project_photos WHERE code = $1 ORDER BY month, id",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(photo_info).collect()
    }

    /// A photo's description and bytes (the thumbnail when `thumbnail`).
    pub async fn photo(&self, id: i64, thumbnail: bool) -> Result<Option<(PhotoInfo, Vec<u8>)>> {
        let column = if thumbnail { "thumbnail" } else { "bytes" };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, code, month, file_name, content_type, author, at, {column} FROM project_photos WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some((photo_info(&r)?, r.get(7))))
    }
}
