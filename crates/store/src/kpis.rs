//! Headline KPIs entered by their owners: every update kept, numbered per KPI, with its evidence.

use domain::Month;
use domain::kpi::KpiUpdate;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::AuditRecord;
use crate::services::NewFile;
use crate::{Result, Store, StoreError};

const COLUMNS: &str = "kpi, n, period, period_end, value_milli, note, file_name, by_login, by_name, at";

fn update_of(r: &AnyRow) -> Result<KpiUpdate> {
    let end: i64 = r.get(3);
    Ok(KpiUpdate {
        kpi: r.get(0),
        n: r.get(1),
        period: r.get(2),
        period_end: Month::from_yyyymm(end as i32).ok_or_else(|| StoreError::Corrupt(format!("KPI period {end}")))?,
        value: r.get::<i64, _>(4) as f64 / 1000.0,
        note: r.get(5),
        file_name: r.get(6),
        by: r.get(7),
        by_name: r.get(8),
        at: r.get(9),
    })
}

impl Store {
    /// Adds an update (value in thousandths) with its evidence, audited; returns its number.
    pub async fn add_kpi_update(&self, u: &KpiUpdate, evidence: Option<&NewFile>, audit: &AuditRecord) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(n), 0) + 1 FROM kpi_updates WHERE kpi = $1")
            .bind(&u.kpi)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO kpi_updates ({COLUMNS}, content_type, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(&u.kpi)
        .bind(n)
        .bind(&u.period)
        .bind(i64::from(u.period_end.yyyymm()))
        .bind((u.value * 1000.0).round() as i64)
        .bind(&u.note)
        .bind(evidence.map(|f| f.file_name.clone()))
        .bind(&u.by)
        .bind(&u.by_name)
        .bind(u.at)
        .bind(evidence.map(|f| f.content_type.clone()))
        .bind(evidence.map(|f| f.bytes.clone()))
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await?;
        Ok(n)
    }

    /// Every update, newest first per KPI.
    pub async fn kpi_updates(&self) -> Result<Vec<KpiUpdate>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM kpi_updates ORDER BY kpi, n DESC")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(update_of).collect()
    }

    /// An update's evidence: its name, type and bytes.
    pub async fn kpi_evidence(&self, kpi: &str, n: i64) -> Result<Option<(String, String, Vec<u8>)>> {
        let row =
            sqlx::query("SELECT file_name, content_type, bytes FROM kpi_updates WHERE kpi = $1 AND n = $2 AND bytes IS NOT NULL")
                .bind(kpi)
                .bind(n)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
    }
}
