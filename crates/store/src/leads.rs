//! Investment-attraction leads (M4).

use std::collections::BTreeMap;

use domain::calendar::Date;
use domain::leads::{Lead, Stage};
use domain::{IndustryCode, ZoneCode};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::AuditRecord;
use crate::{Result, Store, StoreError, stored};

const COLUMNS: &str = "code, name, investor, amount, industry, zone, source, flags, owner, stage, signed, registered, started, producing, funds, project";

/// The stages whose date a lead keeps, in their columns' order.
const DATED: [Stage; 4] = [Stage::Signed, Stage::Registered, Stage::Started, Stage::Producing];

fn lead_of(r: &AnyRow) -> Result<Lead> {
    let mut dates = BTreeMap::new();
    for (k, s) in DATED.iter().enumerate() {
        if let Some(d) = r.get::<Option<String>, _>(10 + k) {
            let d = Date::parse(&d).ok_or_else(|| StoreError::Corrupt(format!("lead date '{}'", domain::shorten(&d))))?;
            dates.insert(*s, d);
        }
    }
    let flags: String = r.get(7);
    Ok(Lead {
        code: r.get(0),
        name: r.get(1),
        investor: r.get(2),
        amount: r.get(3),
        industry: stored(r.get(4), IndustryCode::parse)?,
        zone: stored(r.get(5), ZoneCode::parse)?,
        source: r.get(6),
        flags: flags.split(',').filter(|f| !f.is_empty()).map(String::from).collect(),
        owner: r.get(8),
        stage: stored(r.get(9), |s| Stage::parse(s).ok_or_else(|| format!("lead stage '{}'", domain::shorten(s))))?,
        dates,
        funds_in_place: r.get(14),
        project: r.get(15),
    })
}

impl Store {
    /// Writes leads in one transaction with its audit entry; a stored code is replaced.
    pub async fn save_leads(&self, leads: &[Lead], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for l in leads {
            let date = |s: Stage| l.dates.get(&s).map(|d| d.to_string());
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO leads ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, investor = excluded.investor, amount = excluded.amount, \
                 industry = excluded.industry, zone = excluded.zone, source = excluded.source, flags = excluded.flags, \
                 owner = excluded.owner, stage = excluded.stage, signed = excluded.signed, registered = excluded.registered, \
                 started = excluded.started, producing = excluded.producing, funds = excluded.funds, project = excluded.project"
            )))
            .bind(&l.code)
            .bind(&l.name)
            .bind(&l.investor)
            .bind(l.amount)
            .bind(l.industry.as_str())
            .bind(l.zone.as_str())
            .bind(&l.source)
            .bind(l.flags.join(","))
            .bind(&l.owner)
            .bind(l.stage.code())
            .bind(date(Stage::Signed))
            .bind(date(Stage::Registered))
            .bind(date(Stage::Started))
            .bind(date(Stage::Producing))
            .bind(l.funds_in_place)
            .bind(l.project.clone())
            .execute(&mut *tx)
            .await?;
        }
        self.commit_audited(tx, audit).await
    }

    /// Every lead, by code.
    pub async fn leads(&self) -> Result<Vec<Lead>> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM leads ORDER BY code"))).fetch_all(&self.pool).await?;
        rows.iter().map(lead_of).collect()
    }

    pub async fn lead(&self, code: &str) -> Result<Option<Lead>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM leads WHERE code = $1")))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(lead_of).transpose()
    }
}

impl Store {
    /// Records a signed lead's project and links the two, in one transaction; fails with a
    /// conflict when the lead was linked meanwhile or the project code is taken.
    pub async fn convert_lead(&self, code: &str, project: &domain::projects::Project, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let taken: Option<String> =
            sqlx::query_scalar("SELECT code FROM projects WHERE code = $1").bind(&project.code).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Err(StoreError::Invalid(format!(
                "项目编号 {} 已存在 / project code {} is taken",
                project.code, project.code
            )));
        }
        let n = sqlx::query("UPDATE leads SET project = $1 WHERE code = $2 AND project IS NULL")
            .bind(&project.code)
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(format!("线索 {code} 已转为项目 / lead {code} was converted meanwhile")));
        }
        crate::projects::upsert_project(&mut tx, project).await?;
        self.commit_audited(tx, audit).await
    }
}
