//! Innovation platforms and 双创团队, and the figures the region enters once a year (GDP).

use domain::calendar::Date;
use domain::innovation::{Category, InnovationRecord, Level};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::AuditRecord;
use crate::migrate::now;
use crate::{Result, Store, stored};

fn record_of(r: &AnyRow) -> Result<InnovationRecord> {
    let date = |s: String| stored(&s, |t| Date::parse(t).ok_or_else(|| format!("innovation date '{}'", domain::shorten(t))));
    Ok(InnovationRecord {
        code: r.get(0),
        name: r.get(1),
        category: stored(r.get(2), |s| Category::parse(s).ok_or_else(|| format!("category '{}'", domain::shorten(s))))?,
        level: stored(r.get(3), |s| Level::parse(s).ok_or_else(|| format!("level '{}'", domain::shorten(s))))?,
        kind: r.get(4),
        host_uscc: r.get(5),
        host_name: r.get(6),
        recognised_on: date(r.get(7))?,
        revoked_on: r.get::<Option<String>, _>(8).map(date).transpose()?,
        note: r.get(9),
    })
}

impl Store {
    /// Writes platforms and teams in one transaction; a stored code is replaced.
    pub async fn save_innovation(&self, records: &[InnovationRecord], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for r in records {
            sqlx::query(
                "INSERT INTO innovation_records (code, name, category, level, kind, host_uscc, host_name, recognised_on, revoked_on, note) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                 category = excluded.category, level = excluded.level, kind = excluded.kind, host_uscc = excluded.host_uscc, \
                 host_name = excluded.host_name, recognised_on = excluded.recognised_on, revoked_on = excluded.revoked_on, \
                 note = excluded.note",
            )
            .bind(&r.code)
            .bind(&r.name)
            .bind(r.category.code())
            .bind(r.level.code())
            .bind(&r.kind)
            .bind(r.host_uscc.clone())
            .bind(&r.host_name)
            .bind(r.recognised_on.to_string())
            .bind(r.revoked_on.map(|d| d.to_string()))
            .bind(&r.note)
            .execute(&mut *tx)
            .await?;
        }
        self.commit_audited(tx, audit).await
    }

    pub async fn innovation_records(&self) -> Result<Vec<InnovationRecord>> {
        let rows = sqlx::query(
            "SELECT code, name, category, level, kind, host_uscc, host_name, recognised_on, revoked_on, note \
             FROM innovation_records ORDER BY category, level, code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_of).collect()
    }

    /// Sets a figure of a year (hundredths), with its note.
    pub async fn set_annual_figure(&self, code: &str, year: i32, centi: i64, note: &str, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO annual_figures (code, year, value_centi, note, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (code, year) DO UPDATE SET value_centi = excluded.value_centi, note = excluded.note, \
             set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(code)
        .bind(i64::from(year))
        .bind(centi)
        .bind(note)
        .bind(&audit.actor)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await
    }

    /// Every year's value of a figure (hundredths), by year.
    pub async fn annual_figures(&self, code: &str) -> Result<Vec<(i32, i64)>> {
        let rows = sqlx::query("SELECT year, value_centi FROM annual_figures WHERE code = $1 ORDER BY year")
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| (r.get::<i64, _>(0) as i32, r.get(1))).collect())
    }
}
